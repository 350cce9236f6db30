#!/usr/bin/env bash
# The replication benchmark: a three-node redraft cluster next to redis-server without
# persistence and with appendfsync always, redis-benchmark SET and GET at -P 1 and -P 16, then
# the failover time (BENCH_FAILOVERS, default 3). tests/bench/run.sh restricted to that. Not
# run by CI.
#
#   tests/bench/cluster.sh
#
# JSON to BENCH_JSON (default tests/bench/cluster.json); BENCHMARKS.md is left alone. Every
# other knob is run.sh's (BENCH_ROUNDS, BENCH_N1 default here 100000, BENCH_N16 1000000, ...).

set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
BENCH_TARGETS="redis-mem redis-durable cluster" BENCH_TESTS=${BENCH_TESTS:-set get} \
    BENCH_PHASES="throughput failover" BENCH_FAILOVERS=${BENCH_FAILOVERS:-3} \
    BENCH_N1=${BENCH_N1:-100000} BENCH_N16=${BENCH_N16:-1000000} BENCH_MD=${BENCH_MD:-none} \
    BENCH_JSON=${BENCH_JSON:-$here/cluster.json} exec "$here/run.sh"
