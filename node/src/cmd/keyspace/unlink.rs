//! UNLINK: delete a key asynchronously in another thread. Otherwise it is just as DEL, but non
//! blocking.
//!
//! # Format
//! ```text
//! UNLINK key [key ...]
//! ```
//! Same effect and reply as DEL. Values are reference-counted, so dropping one is cheap and
//! happens on the apply path; there is no background free.

use crate::cmd::{Run, Spec, flags};

use super::del;

pub const SPEC: Spec = Spec {
    name: "unlink",
    arity: -2,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Write {
        prepare: del::prepare,
        apply: del::apply_del,
        unchanged: Some(del::unchanged_del),
    },
};

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn deletes_like_del() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1"]);
        k.run(100, &["set", "b", "1", "px", "5"]);
        k.check(100, &["unlink", "a", "a", "b", "c"], Reply::Int(2));
        k.run(100, &["set", "b", "1", "px", "5"]);
        k.check(200, &["unlink", "b"], Reply::Int(0));
        assert!(k.store().db(0).is_empty());
    }
}
