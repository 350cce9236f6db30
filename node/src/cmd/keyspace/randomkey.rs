//! RANDOMKEY: return a random key from the keyspace.
//!
//! # Format
//! ```text
//! RANDOMKEY
//! ```
//! Picks the first live key at or after a position in hash space derived from the read's seed
//! (wrapping around), so the choice is uniform over hash space rather than over keys, and
//! reproducible for a given seed and content. Nil when the database has no live key.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "randomkey",
    arity: 1,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

/// SplitMix64's finalizer: spreads consecutive seeds (the server passes a command counter)
/// over the whole hash space.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn read(ctx: &mut ReadCtx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::opt_bulk(
        ctx.db().random_key(mix(ctx.seed), ctx.now_ms),
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn nil_when_empty_and_spread_over_keys() {
        let mut k = Kit::new();
        k.check(100, &["randomkey"], Reply::Nil);
        for i in 0..20 {
            k.run(100, &["set", &format!("k{i}"), "v"]);
        }
        let mut seen = HashSet::new();
        for seed in 0..200 {
            match k.run_seeded(100, seed, &["randomkey"]) {
                Reply::Bulk(key) => {
                    seen.insert(key);
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(seen.len() >= 10, "only {} distinct keys", seen.len());
        assert_eq!(
            k.run_seeded(100, 7, &["randomkey"]),
            k.run_seeded(100, 7, &["randomkey"])
        );
    }

    #[test]
    fn skips_expired_keys() {
        let mut k = Kit::new();
        k.run(100, &["set", "t", "1", "px", "10"]);
        k.check(100, &["randomkey"], Reply::text("t"));
        k.check(200, &["randomkey"], Reply::Nil);
        k.run(200, &["set", "live", "1"]);
        for seed in 0..10 {
            assert_eq!(k.run_seeded(300, seed, &["randomkey"]), Reply::text("live"));
        }
    }
}
