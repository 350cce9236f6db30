#!/usr/bin/env bash
# Persistence next to redis-server with the same dataset: SAVE time, load time at startup, and
# SET p99 while BGSAVE runs in a loop: tests/bench/run.sh's persistence phase alone. Not run
# by CI.
#
#   tests/bench/persistence.sh
#
# BENCH_KEYS keys (default 1000000; 100-byte strings, every 1000th a hash of 10 fields),
# BENCH_SET_N SETs during BGSAVE (200000), BENCH_ROUNDS SAVEs (3). JSON to BENCH_JSON (default
# tests/bench/persistence.json); BENCHMARKS.md is left alone.

set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
BENCH_PHASES=persistence BENCH_MD=${BENCH_MD:-none} \
    BENCH_JSON=${BENCH_JSON:-$here/persistence.json} exec "$here/run.sh"
