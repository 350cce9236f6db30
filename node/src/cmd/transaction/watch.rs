//! WATCH: makes the next EXEC abort if any of the keys changes before it is applied.
//!
//! The connection runs it ([`crate::cmd::Run::Transaction`]): it reads each key's version
//! (the log index of its last change) with the internal read [`super::observe`], through the
//! read path, so the observation is linearizable like any read (a follower asks the leader);
//! EXEC's entry compares it with the key at its own place in the log.
//!
//! # Format
//! ```text
//! WATCH key [key ...]
//! ```

use super::Tx;
use crate::cmd::{Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "watch",
    arity: -2,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Transaction(Tx::Watch),
};
