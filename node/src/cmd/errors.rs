//! Every Redis error text the commands send, byte for byte as Redis 7.0 sends it.

use thiserror::Error;

/// An error reply. The socket stays open; the text is the reply after `-`.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CmdError {
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    #[error("ERR syntax error")]
    Syntax,
    #[error("ERR value is not an integer or out of range")]
    NotInteger,
    #[error("ERR value is not a valid float")]
    NotFloat,
    #[error("ERR increment or decrement would overflow")]
    Overflow,
    #[error("ERR increment would produce NaN or Infinity")]
    NanOrInfinity,
    #[error("ERR no such key")]
    NoSuchKey,
    #[error("ERR wrong number of arguments for '{0}' command")]
    WrongArity(String),
    /// `name` and the argument preview are formatted by [`CmdError::unknown_command`].
    #[error("ERR unknown command '{0}', with args beginning with: {1}")]
    UnknownCommand(String, String),
    #[error("ERR unknown subcommand '{0}'. Try {1} HELP.")]
    UnknownSubcommand(String, String),
    #[error("NOAUTH Authentication required.")]
    NoAuth,
    #[error("WRONGPASS invalid username-password pair or user is disabled.")]
    WrongPass,
    #[error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
    )]
    AuthNotConfigured,
    #[error("NOPROTO unsupported protocol version")]
    NoProto,
    #[error("ERR DB index is out of range")]
    DbIndexOutOfRange,
    #[error("ERR invalid expire time in '{0}' command")]
    InvalidExpireTime(&'static str),
    #[error("ERR invalid cursor")]
    InvalidCursor,
    #[error("ERR source and destination objects are the same")]
    SameObject,
    #[error("ERR offset is out of range")]
    OffsetOutOfRange,
    #[error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    StringTooLong,
    #[error("ERR value is out of range, must be positive")]
    NotPositive,
    /// A RESP2 connection in Pub/Sub mode ran another command (the command's full name).
    #[error(
        "ERR Can't execute '{0}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    )]
    PubSubContext(String),
    /// Redis's `addReplySubcommandSyntaxError`: the subcommand as the client typed it, and
    /// the command.
    #[error("ERR unknown subcommand or wrong number of arguments for '{0}'. Try {1} HELP.")]
    SubcommandSyntax(String, String),
    #[error("BUSYKEY Target key name already exists.")]
    BusyKey,
    #[error("ERR DUMP payload version or checksum are wrong")]
    BadDumpPayload,
    #[error("ERR Bad data format")]
    BadDataFormat,
    /// A blocking command's timeout that is not a number.
    #[error("ERR timeout is not a float or out of range")]
    TimeoutNotFloat,
    /// A blocking command's timeout below zero (or, as Redis 7.0 computes it, too large).
    #[error("ERR timeout is negative")]
    TimeoutNegative,
    /// Any other error; the full text including its code (`"ERR ..."`).
    #[error("{0}")]
    Other(String),
}

impl CmdError {
    /// Redis's reply to an unknown command: the name and the first arguments quoted, at most
    /// about 128 bytes of them, with CR and LF shown as spaces.
    pub fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> CmdError {
        let mut preview = String::new();
        for arg in args {
            if preview.len() >= 128 {
                break;
            }
            let room = 128 - preview.len();
            let text = String::from_utf8_lossy(&arg[..arg.len().min(room)]);
            preview.push('\'');
            preview.push_str(&text);
            preview.push_str("' ");
        }
        let name = String::from_utf8_lossy(&name[..name.len().min(128)]).into_owned();
        CmdError::UnknownCommand(no_newlines(&name), no_newlines(&preview))
    }

    /// `ERR unknown subcommand 'x'. Try CLIENT HELP.`
    pub fn unknown_subcommand(sub: &[u8], command: &str) -> CmdError {
        let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
        CmdError::UnknownSubcommand(no_newlines(&sub), command.to_ascii_uppercase())
    }

    /// `ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.`
    pub fn subcommand_syntax(sub: &[u8], command: &str) -> CmdError {
        let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
        CmdError::SubcommandSyntax(no_newlines(&sub), command.to_ascii_uppercase())
    }

    pub fn wrong_arity(name: &str) -> CmdError {
        CmdError::WrongArity(name.to_ascii_lowercase())
    }

    pub fn other(text: impl Into<String>) -> CmdError {
        CmdError::Other(text.into())
    }
}

/// Error replies must stay on one line.
fn no_newlines(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn texts_match_redis() {
        let cases = [
            (
                CmdError::WrongType,
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (CmdError::Syntax, "ERR syntax error"),
            (
                CmdError::NotInteger,
                "ERR value is not an integer or out of range",
            ),
            (CmdError::NotFloat, "ERR value is not a valid float"),
            (
                CmdError::Overflow,
                "ERR increment or decrement would overflow",
            ),
            (
                CmdError::NanOrInfinity,
                "ERR increment would produce NaN or Infinity",
            ),
            (CmdError::NoSuchKey, "ERR no such key"),
            (
                CmdError::wrong_arity("GET"),
                "ERR wrong number of arguments for 'get' command",
            ),
            (CmdError::NoAuth, "NOAUTH Authentication required."),
            (
                CmdError::WrongPass,
                "WRONGPASS invalid username-password pair or user is disabled.",
            ),
            (CmdError::NoProto, "NOPROTO unsupported protocol version"),
            (CmdError::DbIndexOutOfRange, "ERR DB index is out of range"),
            (
                CmdError::InvalidExpireTime("set"),
                "ERR invalid expire time in 'set' command",
            ),
            (CmdError::InvalidCursor, "ERR invalid cursor"),
            (
                CmdError::SameObject,
                "ERR source and destination objects are the same",
            ),
            (CmdError::OffsetOutOfRange, "ERR offset is out of range"),
            (
                CmdError::StringTooLong,
                "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
            ),
            (CmdError::BusyKey, "BUSYKEY Target key name already exists."),
            (
                CmdError::BadDumpPayload,
                "ERR DUMP payload version or checksum are wrong",
            ),
            (CmdError::BadDataFormat, "ERR Bad data format"),
            (
                CmdError::TimeoutNotFloat,
                "ERR timeout is not a float or out of range",
            ),
            (CmdError::TimeoutNegative, "ERR timeout is negative"),
            (
                CmdError::unknown_subcommand(b"foo", "client"),
                "ERR unknown subcommand 'foo'. Try CLIENT HELP.",
            ),
            (
                CmdError::PubSubContext("client|list".into()),
                "ERR Can't execute 'client|list': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            ),
            (
                CmdError::subcommand_syntax(b"CHANNELS", "pubsub"),
                "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
        }
    }

    #[test]
    fn unknown_command_previews_arguments() {
        let args = [Bytes::from_static(b"a"), Bytes::from_static(b"b\r\nc")];
        assert_eq!(
            CmdError::unknown_command(b"FOO", &args).to_string(),
            "ERR unknown command 'FOO', with args beginning with: 'a' 'b  c' "
        );
        assert_eq!(
            CmdError::unknown_command(b"foo", &[]).to_string(),
            "ERR unknown command 'foo', with args beginning with: "
        );
    }
}
