//! String commands (Redis's `string` group).

pub mod get;
pub mod set;

use bytes::Bytes;

use super::{CmdError, Spec};
use crate::store::{Entry, Value};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[&get::SPEC, &set::SPEC];

/// The string held by `entry`, or WRONGTYPE.
pub fn as_str(entry: &Entry) -> Result<&Bytes, CmdError> {
    match &entry.value {
        Value::Str(s) => Ok(s),
    }
}
