//! TOUCH: alters the last access time of a key(s). Returns the number of existing keys
//! specified.
//!
//! # Format
//! ```text
//! TOUCH key [key ...]
//! ```
//! Access times are not tracked (see OBJECT IDLETIME), so TOUCH only counts the keys that
//! exist, a key named several times counting each time, as Redis.

use crate::cmd::{Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "touch",
    arity: -2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: -1,
    step: 1,
    // Counting live keys is all TOUCH does here: EXISTS's read.
    run: Run::Read(super::exists::read),
};

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn counts_existing_keys() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1"]);
        k.run(100, &["set", "t", "1", "px", "10"]);
        k.check(100, &["touch", "a", "a", "nokey", "t"], Reply::Int(3));
        assert_eq!((k.hits, k.misses), (3, 1));
        k.check(200, &["touch", "t"], Reply::Int(0));
    }
}
