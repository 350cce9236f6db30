//! SUBSTR: returns a substring of the string stored at a key (deprecated alias of GETRANGE).
//!
//! # Format
//! ```text
//! SUBSTR key start end
//! ```

use crate::cmd::{Run, Spec, flags};

use super::getrange;

pub const SPEC: Spec = Spec {
    name: "substr",
    arity: 4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(getrange::read),
};

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn same_as_getrange() {
        let mut m = Machine::new(16);
        run(&mut m, 1, &["set", "s", "Hello World"]);
        assert_eq!(run(&mut m, 1, &["substr", "s", "0", "4"]), bulk("Hello"));
        assert_eq!(run(&mut m, 1, &["SUBSTR", "s", "-5", "-1"]), bulk("World"));
    }
}
