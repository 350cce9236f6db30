#!/usr/bin/env bash
# Throughput of one redraft node next to one redis-server: tests/bench/run.sh restricted to
# those two targets and its throughput phase. Not run by CI.
#
#   tests/bench/compare.sh
#
# BENCH_REDIS: `durable` (default: redis-server --appendonly yes --appendfsync always, since
# every redraft write is flushed to its Raft log before it is acknowledged) or `memory` (no
# persistence). JSON to BENCH_JSON (default tests/bench/compare.json); BENCHMARKS.md is left
# alone. Every other knob is run.sh's (BENCH_ROUNDS, BENCH_N1, BENCH_N16, BENCH_TESTS, ...).

set -euo pipefail

case ${BENCH_REDIS:-durable} in
durable) redis="redis-durable" ;;
memory) redis="redis-mem" ;;
*)
    echo "compare.sh: BENCH_REDIS is durable or memory" >&2
    exit 1
    ;;
esac
here=$(dirname "${BASH_SOURCE[0]}")
BENCH_TARGETS="$redis single" BENCH_PHASES=throughput BENCH_MD=${BENCH_MD:-none} \
    BENCH_JSON=${BENCH_JSON:-$here/compare.json} exec "$here/run.sh"
