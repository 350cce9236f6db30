#!/usr/bin/env bash
# Resident memory of redraft next to redis-server after loading the same dataset into each:
# tests/bench/run.sh's memory phase alone. Not run by CI.
#
#   tests/bench/memory.sh [strings|hashes|zsets ...]      (default: all three)
#
# For each dataset, a fresh redis-server (no persistence) and a fresh one-node redraft get
# BENCH_KEYS keys (default 1,000,000) with `redis-cli --pipe`; the growth of each resident set
# is compared (datasets: see bench_gen in lib.sh). JSON to BENCH_JSON (default
# tests/bench/memory.json); BENCHMARKS.md is left alone.

set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
BENCH_DATASETS="${*:-strings hashes zsets}" BENCH_PHASES=memory BENCH_MD=${BENCH_MD:-none} \
    BENCH_JSON=${BENCH_JSON:-$here/memory.json} exec "$here/run.sh"
