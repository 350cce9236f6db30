//! MULTI/EXEC applied from the log: the watched keys are checked and the queued commands run
//! inside one entry, so a transaction is atomic on every replica and its WATCH check gives the
//! same answer everywhere (DESIGN.md "The log entry").

use bytes::Bytes;

use crate::cmd::ApplyCtx;
use crate::resp::Reply;

/// A transaction as logged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transaction {
    /// The keys the client watched, as it saw them.
    pub watch: Vec<Watched>,
    /// The queued commands: canonical writes, reads, and `select <db>` (which switches the
    /// database of the commands after it, as SELECT inside MULTI does in Redis).
    pub commands: Vec<Vec<Bytes>>,
}

/// One watched key: what WATCH observed of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Watched {
    pub db: u32,
    pub key: Bytes,
    /// The log index of the key's last change; 0 when the key did not exist (or had expired).
    pub version: u64,
    /// The last log index applied by the node that observed it.
    pub seen_at: u64,
}

impl Watched {
    /// Whether the key changed since it was watched, judged at the entry's time: a change
    /// stamps a newer version, an expiry or deletion makes a present key absent, and an
    /// absent key is taken as changed when any key of its database was removed since (it may
    /// have been created and removed meanwhile; this may abort a transaction Redis would run,
    /// never the reverse).
    fn changed(&self, ctx: &ApplyCtx<'_>) -> bool {
        let db = ctx.store.db(self.db as usize);
        match db.get(&self.key, ctx.now_ms) {
            Some(entry) => self.version == 0 || entry.version != self.version,
            None => self.version != 0 || db.removed_at() > self.seen_at,
        }
    }
}

impl Transaction {
    /// Applies the transaction: the array of its commands' replies, or the null array when
    /// a watched key changed (nothing applied).
    pub(super) fn apply(&self, ctx: &mut ApplyCtx<'_>) -> Reply {
        if self.watch.iter().any(|w| w.changed(ctx)) {
            return Reply::NilArray;
        }
        let selected = ctx.db;
        let replies = self
            .commands
            .iter()
            .enumerate()
            .map(|(i, argv)| super::dispatch::logged(ctx, i as u64, argv))
            .collect();
        ctx.db = selected;
        Reply::Array(replies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{LogEntry, Machine, Request};

    fn argv(items: &[&str]) -> Vec<Bytes> {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn tx(watch: Vec<Watched>, commands: &[&[&str]]) -> LogEntry {
        LogEntry {
            time_ms: 1000,
            db: 0,
            requests: std::sync::Arc::new(vec![Request::Transaction(Transaction {
                watch,
                commands: commands.iter().map(|c| argv(c)).collect(),
            })]),
        }
    }

    fn set(m: &mut Machine, index: u64, cmd: &[&str]) {
        m.apply(index, &LogEntry::commands(1000, 0, vec![argv(cmd)]));
    }

    #[test]
    fn runs_writes_reads_and_select_in_order() {
        let mut m = Machine::new(4);
        let replies = m.apply(
            1,
            &tx(
                vec![],
                &[
                    &["set", "k", "1"],
                    &["incrby", "k", "2"],
                    &["get", "k"],
                    &["lpush", "k", "x"],
                    &["select", "2"],
                    &["set", "k", "two"],
                ],
            ),
        );
        assert_eq!(
            replies,
            vec![Reply::Array(vec![
                Reply::OK,
                Reply::Int(3),
                Reply::Bulk(Bytes::from_static(b"3")),
                Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value"),
                Reply::OK,
                Reply::OK,
            ])]
        );
        let k = Bytes::from_static(b"k");
        assert!(m.store().db(2).get(&k, 0).is_some());
        // The next request is back in the entry's database.
        let replies = m.apply(2, &tx(vec![], &[&["get", "k"]]));
        assert_eq!(
            replies,
            vec![Reply::Array(vec![Reply::Bulk(Bytes::from_static(b"3"))])]
        );
    }

    #[test]
    fn a_changed_watched_key_aborts_everything() {
        let mut m = Machine::new(1);
        let k = Bytes::from_static(b"k");
        set(&mut m, 1, &["set", "k", "1"]);
        let seen = m.watch(0, &k, 1000);
        assert_eq!(seen.version, 1);
        // Unchanged: runs.
        let ok = m.apply(2, &tx(vec![seen.clone()], &[&["set", "other", "x"]]));
        assert_eq!(ok, vec![Reply::Array(vec![Reply::OK])]);
        // Changed by anyone, even to the same value: aborts and applies nothing.
        set(&mut m, 3, &["set", "k", "1"]);
        let aborted = m.apply(4, &tx(vec![seen], &[&["set", "k", "2"]]));
        assert_eq!(aborted, vec![Reply::NilArray]);
        assert_eq!(
            m.store().db(0).get(&k, 0).map(|e| e.version),
            Some(3),
            "nothing applied"
        );
    }

    #[test]
    fn absent_keys_created_deleted_or_expired_abort() {
        let mut m = Machine::new(1);
        let k = Bytes::from_static(b"k");
        let absent = m.watch(0, &k, 1000);
        assert_eq!(absent.version, 0);
        // Created then deleted since: the key is absent again, but it changed.
        set(&mut m, 1, &["set", "k", "1"]);
        set(&mut m, 2, &["del", "k"]);
        assert_eq!(
            m.apply(3, &tx(vec![absent], &[&["set", "y", "1"]])),
            vec![Reply::NilArray]
        );
        let absent = m.watch(0, &k, 1000);
        assert_eq!(
            m.apply(4, &tx(vec![absent.clone()], &[&["get", "k"]])),
            vec![Reply::Array(vec![Reply::Nil])]
        );
        // A watched key that expires before EXEC is applied: aborted (as Redis 7).
        set(&mut m, 5, &["set", "t", "1", "pxat", "1500"]);
        let t = m.watch(0, &Bytes::from_static(b"t"), 1000);
        let mut late = tx(vec![t], &[&["set", "x", "1"]]);
        late.time_ms = 2000;
        assert_eq!(m.apply(6, &late), vec![Reply::NilArray]);
    }

    #[test]
    fn queued_commands_that_are_not_data_commands_are_answered_with_an_error() {
        let mut m = Machine::new(1);
        let replies = m.apply(1, &tx(vec![], &[&["ping"], &["select", "9"]]));
        let Reply::Array(items) = &replies[0] else {
            panic!("array expected")
        };
        assert!(items.iter().all(Reply::is_error), "{items:?}");
    }
}
