//! SLOWLOG GET [count] | LEN | RESET | HELP, and the slow log itself.
//!
//! Commands slower than `slowlog-log-slower-than` microseconds are remembered, newest first,
//! up to `slowlog-max-len` entries, with at most 32 arguments of at most 128 bytes each
//! (Redis's `SLOWLOG_ENTRY_MAX_ARGC` / `SLOWLOG_ENTRY_MAX_STRING`).

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

/// One slow command.
#[derive(Debug, Clone)]
pub struct SlowEntry {
    pub id: u64,
    /// Unix seconds when it ran.
    pub time: u64,
    pub duration_us: u64,
    pub args: Vec<Bytes>,
    pub addr: String,
    pub name: Option<Bytes>,
}

/// The slow log, newest entry first.
#[derive(Debug, Default)]
pub struct SlowLog {
    entries: VecDeque<SlowEntry>,
    next_id: u64,
}

const MAX_ARGC: usize = 32;
const MAX_STRING: usize = 128;

impl SlowLog {
    /// Records a command that took `elapsed`, trimming the log to `max_len` entries.
    pub fn push(
        &mut self,
        argv: &[Bytes],
        elapsed: Duration,
        addr: String,
        name: Option<Bytes>,
        max_len: usize,
    ) {
        let mut args: Vec<Bytes> = Vec::with_capacity(argv.len().min(MAX_ARGC));
        for (i, arg) in argv.iter().enumerate() {
            if i == MAX_ARGC - 1 && argv.len() > MAX_ARGC {
                let more = argv.len() - MAX_ARGC + 1;
                args.push(Bytes::from(format!("... ({more} more arguments)")));
                break;
            }
            if arg.len() > MAX_STRING {
                let mut s = arg[..MAX_STRING].to_vec();
                s.extend_from_slice(
                    format!("... ({} more bytes)", arg.len() - MAX_STRING).as_bytes(),
                );
                args.push(Bytes::from(s));
            } else {
                args.push(Bytes::copy_from_slice(arg));
            }
        }
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.entries.push_front(SlowEntry {
            id: self.next_id,
            time,
            duration_us: elapsed.as_micros() as u64,
            args,
            addr,
            name,
        });
        self.next_id += 1;
        self.entries.truncate(max_len);
    }

    /// The newest `count` entries.
    pub fn newest(&self, count: usize) -> impl Iterator<Item = &SlowEntry> {
        self.entries.iter().take(count)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_truncates_like_redis() {
        let mut log = SlowLog::default();
        let argv: Vec<Bytes> = (0..40).map(|i| Bytes::from(format!("a{i}"))).collect();
        log.push(&argv, Duration::from_micros(5), "1.2.3.4:5".into(), None, 2);
        let e = log.newest(1).next().unwrap();
        assert_eq!(e.args.len(), 32);
        assert_eq!(&e.args[31][..], b"... (9 more arguments)");
        let long = vec![Bytes::from(vec![b'x'; 200])];
        log.push(&long, Duration::ZERO, String::new(), None, 2);
        log.push(&long, Duration::ZERO, String::new(), None, 2);
        assert_eq!(log.len(), 2);
        let e = log.newest(1).next().unwrap();
        assert_eq!(e.id, 2);
        assert!(e.args[0].ends_with(b"... (72 more bytes)"));
    }
}
