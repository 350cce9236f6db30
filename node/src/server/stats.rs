//! Per-command and per-error statistics (INFO commandstats and errorstats).
//!
//! The command counters are created once for every command and subcommand of the table, so
//! counting a call is a map lookup and atomic additions, with no lock on the request path.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::cmd::Table;
use crate::cmd::server::command::all_full_names;
use crate::cmd::session::CommandStat;

/// Redis stops tracking new error codes past this many (`ERROR_STATS_NUMBER`).
const MAX_ERROR_CODES: usize = 128;

#[derive(Default)]
struct Counters {
    calls: AtomicU64,
    usec: AtomicU64,
    rejected: AtomicU64,
    failed: AtomicU64,
}

pub(crate) struct CommandStats {
    by_name: HashMap<String, Counters>,
    errors: Mutex<HashMap<String, u64>>,
}

impl CommandStats {
    pub fn new(table: &Table) -> CommandStats {
        CommandStats {
            by_name: all_full_names(table)
                .into_iter()
                .map(|n| (n, Counters::default()))
                .collect(),
            errors: Mutex::new(HashMap::new()),
        }
    }

    /// A command ran (`failed`: it answered an error).
    pub fn called(&self, name: &str, usec: u64, failed: bool) {
        if let Some(c) = self.by_name.get(name) {
            c.calls.fetch_add(1, Ordering::Relaxed);
            c.usec.fetch_add(usec, Ordering::Relaxed);
            if failed {
                c.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// A command was refused before running (NOAUTH, wrong arity).
    pub fn rejected(&self, name: &str) {
        if let Some(c) = self.by_name.get(name) {
            c.rejected.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An error reply was sent: counts it under its code, the text up to the first space
    /// (within 32 bytes, else `ERR`), as Redis's `afterErrorReply`.
    pub fn error(&self, text: &[u8]) {
        let head = &text[..text.len().min(32)];
        let code = match head.iter().position(|&b| b == b' ') {
            Some(end) if end > 0 => String::from_utf8_lossy(&text[..end]).into_owned(),
            _ => "ERR".to_string(),
        };
        let mut errors = self.errors.lock();
        if let Some(n) = errors.get_mut(&code) {
            *n += 1;
        } else if errors.len() < MAX_ERROR_CODES {
            errors.insert(code, 1);
        }
    }

    pub fn commands(&self) -> Vec<(String, CommandStat)> {
        let mut out: Vec<(String, CommandStat)> = self
            .by_name
            .iter()
            .map(|(name, c)| {
                let stat = CommandStat {
                    calls: c.calls.load(Ordering::Relaxed),
                    usec: c.usec.load(Ordering::Relaxed),
                    rejected_calls: c.rejected.load(Ordering::Relaxed),
                    failed_calls: c.failed.load(Ordering::Relaxed),
                };
                (name.clone(), stat)
            })
            .filter(|(_, s)| s.calls > 0 || s.rejected_calls > 0 || s.failed_calls > 0)
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    pub fn errors(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = self
            .errors
            .lock()
            .iter()
            .map(|(code, n)| (code.clone(), *n))
            .collect();
        out.sort();
        out
    }

    pub fn reset(&self) {
        for c in self.by_name.values() {
            for n in [&c.calls, &c.usec, &c.rejected, &c.failed] {
                n.store(0, Ordering::Relaxed);
            }
        }
        self.errors.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_commands_and_error_codes() {
        let stats = CommandStats::new(Table::canonical());
        stats.called("get", 5, false);
        stats.called("get", 7, true);
        stats.rejected("get");
        stats.called("client|list", 1, false);
        stats.called("nosuch", 1, false);
        assert_eq!(
            stats.commands(),
            vec![
                (
                    "client|list".to_string(),
                    CommandStat {
                        calls: 1,
                        usec: 1,
                        rejected_calls: 0,
                        failed_calls: 0
                    }
                ),
                (
                    "get".to_string(),
                    CommandStat {
                        calls: 2,
                        usec: 12,
                        rejected_calls: 1,
                        failed_calls: 1
                    }
                ),
            ]
        );
        stats.error(b"ERR syntax error");
        stats.error(b"WRONGTYPE Operation against a key holding the wrong kind of value");
        stats.error(b"ERR x");
        stats.error(b"NOSPACEINTHISVERYLONGERRORTEXTATALL");
        assert_eq!(
            stats.errors(),
            vec![("ERR".to_string(), 3), ("WRONGTYPE".to_string(), 1)]
        );
        stats.reset();
        assert!(stats.commands().is_empty());
        assert!(stats.errors().is_empty());
    }
}
