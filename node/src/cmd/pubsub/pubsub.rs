//! PUBSUB: a container for Pub/Sub introspection commands.
//!
//! # Format
//! ```text
//! PUBSUB CHANNELS [pattern]
//! PUBSUB NUMSUB [channel ...]
//! PUBSUB NUMPAT
//! PUBSUB SHARDCHANNELS [pattern]
//! PUBSUB SHARDNUMSUB [shardchannel ...]
//! PUBSUB HELP
//! ```
//! They report the subscriptions of the node that receives them, as Redis Cluster does per
//! node: a subscriber connected to another node is not counted (PUBLISH, in contrast, counts
//! receivers on every node).

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::server::command::{help_reply, subcommand};
use crate::cmd::{CmdError, Run, Spec};

pub const SPEC: Spec = Spec {
    name: "pubsub",
    arity: -2,
    flags: 0,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::PubSub(parse),
};

/// PUBSUB's subcommands and their arity.
pub const SUBCOMMANDS: &[(&str, i32)] = &[
    ("channels", -2),
    ("help", 2),
    ("numpat", 2),
    ("numsub", -2),
    ("shardchannels", -2),
    ("shardnumsub", -2),
];

const HELP: &[&str] = &[
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
];

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    let sub = subcommand("pubsub", SUBCOMMANDS, argv)?;
    Ok(match sub {
        "channels" | "shardchannels" => {
            // As Redis's pubsubCommand: at most one pattern, else its generic syntax error.
            if argv.len() > 3 {
                return Err(CmdError::subcommand_syntax(&argv[1], "pubsub"));
            }
            PubSubOp::Channels {
                shard: sub == "shardchannels",
                pattern: argv.get(2).cloned(),
            }
        }
        "numsub" | "shardnumsub" => PubSubOp::NumSub {
            shard: sub == "shardnumsub",
            channels: argv[2..].to_vec(),
        },
        "numpat" => PubSubOp::NumPat,
        _ => PubSubOp::Reply(help_reply("pubsub", HELP)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::{Protocol, Reply};

    fn run(args: &[&str]) -> Result<PubSubOp, String> {
        let argv: Vec<Bytes> = args
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect();
        parse(&argv).map_err(|e| e.to_string())
    }

    #[test]
    fn subcommands_and_redis_errors() {
        assert_eq!(
            run(&["PUBSUB", "channels"]),
            Ok(PubSubOp::Channels {
                shard: false,
                pattern: None
            })
        );
        assert_eq!(
            run(&["PUBSUB", "SHARDCHANNELS", "a*"]),
            Ok(PubSubOp::Channels {
                shard: true,
                pattern: Some(Bytes::from_static(b"a*"))
            })
        );
        assert_eq!(
            run(&["PUBSUB", "NUMSUB"]),
            Ok(PubSubOp::NumSub {
                shard: false,
                channels: vec![]
            })
        );
        assert_eq!(run(&["PUBSUB", "NUMPAT"]), Ok(PubSubOp::NumPat));
        assert_eq!(
            run(&["PUBSUB", "CHANNELS", "a", "b"]),
            Err(
                "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP."
                    .into()
            )
        );
        assert_eq!(
            run(&["PUBSUB", "NUMPAT", "x"]),
            Err("ERR wrong number of arguments for 'pubsub|numpat' command".into())
        );
        assert_eq!(
            run(&["PUBSUB", "FOO"]),
            Err("ERR unknown subcommand 'FOO'. Try PUBSUB HELP.".into())
        );
    }

    #[test]
    fn help_is_redis_text() {
        let Ok(PubSubOp::Reply(reply)) = run(&["PUBSUB", "HELP"]) else {
            panic!("HELP answers a reply");
        };
        let Reply::Array(lines) = &reply else {
            panic!("an array");
        };
        assert_eq!(lines.len(), 14);
        assert_eq!(
            &reply.to_bytes(Protocol::Resp2)[..62],
            &b"*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"[..62]
        );
    }
}
