#!/usr/bin/env bash
# Throughput of redraft next to a real redis-server, both on free loopback ports, measured with
# redis-benchmark. Not run by CI: it takes a few minutes and wants a quiet machine.
#
#   tests/bench/compare.sh
#
# For each of BENCH_ROUNDS rounds (3) and each pipeline depth (-P 1, -P 16), runs
# `redis-benchmark -q -c 50 -n N -t set,get,incr,mset --csv` against redis-server, then against
# redraft (A B A B ...), and reports the median ops/s of each, with ratio = redraft / redis.
# Tests that redraft does not implement yet are skipped for it (shown as "-").
#
# Environment:
#   BENCH_N1      requests per test at -P 1  (default 250000: about 2 s per test for Redis here)
#   BENCH_N16     requests per test at -P 16 (default 2000000)
#   BENCH_ROUNDS  rounds (default 3)
#   BENCH_JSON    where the JSON results go (default tests/bench/compare.json)
#   REDRAFT_BIN   the redraft binary (default: built here with cargo build --release)
#   REDIS_SERVER  the redis-server binary (default: redis-server on PATH)
#   BENCH_REDIS   how redis-server persists: `durable` (default: --appendonly yes --appendfsync
#                 always, since every redraft write is flushed to its Raft log before it is
#                 acknowledged) or `memory` (--appendonly no: no persistence at all)
#
# redraft runs as a one-node cluster; both servers are stopped at the end, also on Ctrl-C.

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
repo=$(redraft_repo)
cd "$repo"

rounds=${BENCH_ROUNDS:-3}
n1=${BENCH_N1:-250000}
n16=${BENCH_N16:-2000000}
out_json=${BENCH_JSON:-$repo/tests/bench/compare.json}
clients=50
# shellcheck disable=SC2206
tests=(${BENCH_TESTS:-set get incr mset lpush rpop sadd hset zadd lrange_100})
redis_server=${REDIS_SERVER:-redis-server}
case ${BENCH_REDIS:-durable} in
durable) redis_persist=(--appendonly yes --appendfsync always) ;;
memory) redis_persist=(--appendonly no) ;;
*)
    echo "compare.sh: BENCH_REDIS is durable or memory" >&2
    exit 1
    ;;
esac

for tool in "$redis_server" redis-benchmark redis-cli python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "compare.sh: $tool not found (apt-get install redis-server redis-tools)" >&2
        exit 1
    fi
done

if [[ -z "${REDRAFT_BIN:-}" ]]; then
    target=$(redraft_target_dir)
    echo "building redraft (release, target dir $target)"
    CARGO_TARGET_DIR=$target cargo build --release --workspace
    REDRAFT_BIN=$(redraft_bin_dir)/redraft
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/redraft-bench.XXXXXX")
redis_pid=
redraft_pid=
cleanup() {
    redraft_stop_pid "$redis_pid"
    redraft_stop_pid "$redraft_pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

redis_port=$(redraft_free_port)
redraft_port=$(redraft_free_port)
while [[ "$redraft_port" == "$redis_port" ]]; do
    redraft_port=$(redraft_free_port)
done

mkdir -p "$work/redis" "$work/redraft"
"$redis_server" --port "$redis_port" --bind 127.0.0.1 --save '' "${redis_persist[@]}" \
    --dir "$work/redis" --logfile "$work/redis.log" &
redis_pid=$!
env -u REDIS_PASSWORD "$REDRAFT_BIN" --port "$redraft_port" --dir "$work/redraft" \
    --loglevel warning >"$work/redraft.log" 2>&1 &
redraft_pid=$!
if ! redraft_wait_port "$redis_port" 20 "$redis_pid"; then
    echo "redis-server did not start:" >&2
    cat "$work/redis.log" >&2
    exit 1
fi
if ! redraft_wait_port "$redraft_port" 20 "$redraft_pid"; then
    echo "redraft did not start:" >&2
    cat "$work/redraft.log" >&2
    exit 1
fi

redis_version=$(redis-cli -p "$redis_port" INFO server | sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p')
echo "redis-server $redis_version on port $redis_port (pid $redis_pid)"
echo "redraft $REDRAFT_BIN on port $redraft_port (pid $redraft_pid)"

# The commands redis-benchmark sends for each test; a test whose command errors on redraft
# is not run against it (an error reply still counts as a request for redis-benchmark).
probe() {
    case $1 in
    set) redis-cli -p "$2" SET bench:probe v ;;
    get) redis-cli -p "$2" GET bench:probe ;;
    incr) redis-cli -p "$2" INCR bench:probe:counter ;;
    mset) redis-cli -p "$2" MSET bench:probe:a 1 bench:probe:b 2 ;;
    lpush | lrange_100) redis-cli -p "$2" LPUSH bench:probe:list a ;;
    rpop) redis-cli -p "$2" RPOP bench:probe:list ;;
    sadd) redis-cli -p "$2" SADD bench:probe:set a ;;
    hset) redis-cli -p "$2" HSET bench:probe:hash f v ;;
    zadd) redis-cli -p "$2" ZADD bench:probe:zset 1 a ;;
    *) echo "ERR unknown benchmark test $1" ;;
    esac
}
redraft_tests=()
for t in "${tests[@]}"; do
    reply=$(probe "$t" "$redraft_port" 2>&1 || true)
    if [[ "$reply" =~ ^(ERR|\(error\)|Could not) ]]; then
        echo "redraft does not implement '$t' yet ($reply): skipped for redraft"
    else
        redraft_tests+=("$t")
    fi
done
redis-cli -p "$redis_port" FLUSHALL >/dev/null
redis-cli -p "$redraft_port" FLUSHALL >/dev/null || true

# run SERVER PORT PIPELINE N ROUND TESTS...: one redis-benchmark run, its CSV kept in $work.
run() {
    local server=$1 port=$2 pipeline=$3 n=$4 round=$5 list
    shift 5
    list=$(IFS=,; echo "$*")
    local csv="$work/round$round-$server-P$pipeline.csv"
    printf 'round %s/%s  -P %-2s  %-7s  %s ... ' "$round" "$rounds" "$pipeline" "$server" "$list"
    local start=$SECONDS
    if ! timeout 600 redis-benchmark -h 127.0.0.1 -p "$port" -q -c "$clients" -n "$n" \
        -P "$pipeline" -t "$list" --csv >"$csv" 2>>"$work/benchmark.err"; then
        echo "failed"
        tail -n 5 "$work/benchmark.err" >&2
        return 1
    fi
    echo "$((SECONDS - start))s"
}

for ((round = 1; round <= rounds; round++)); do
    for pipeline in 1 16; do
        n=$n1
        ((pipeline == 1)) || n=$n16
        run redis "$redis_port" "$pipeline" "$n" "$round" "${tests[@]}"
        if ((${#redraft_tests[@]} > 0)); then
            run redraft "$redraft_port" "$pipeline" "$n" "$round" "${redraft_tests[@]}"
        fi
    done
done

if ! kill -0 "$redraft_pid" 2>/dev/null; then
    echo "redraft exited during the benchmark; its log:" >&2
    tail -n 20 "$work/redraft.log" >&2
    exit 1
fi

BENCH_WORK=$work BENCH_ROUNDS=$rounds BENCH_N1=$n1 BENCH_N16=$n16 BENCH_CLIENTS=$clients \
    BENCH_TESTS="${tests[*]}" BENCH_JSON=$out_json REDIS_VERSION=$redis_version \
    BENCH_REDIS_MODE=${BENCH_REDIS:-durable} \
    REDRAFT_REV=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown) \
    python3 - <<'EOF'
import csv
import datetime
import glob
import json
import os
import statistics

work = os.environ["BENCH_WORK"]
rounds = int(os.environ["BENCH_ROUNDS"])
# samples[(test, pipeline, server)] = [ops/s of each round]; tests in the order run
samples = {}
tests = []
for path in sorted(glob.glob(os.path.join(work, "round*-*-P*.csv"))):
    base = os.path.basename(path)[len("round"):-len(".csv")]
    _round, server, pipeline = base.split("-")
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["test"], int(pipeline[1:]), server)
            if row["test"] not in tests:
                tests.append(row["test"])
            samples.setdefault(key, []).append(float(row["rps"]))


def median(key):
    values = samples.get(key)
    return statistics.median(values) if values else None


rows = []
for pipeline in (1, 16):
    for test in tests:
        redis_ops = median((test, pipeline, "redis"))
        redraft_ops = median((test, pipeline, "redraft"))
        ratio = round(redraft_ops / redis_ops, 3) if redis_ops and redraft_ops is not None else None
        rows.append({
            "test": test,
            "pipeline": pipeline,
            "redis_ops_per_sec": redis_ops,
            "redraft_ops_per_sec": redraft_ops,
            "ratio": ratio,
            "redis_samples": samples.get((test, pipeline, "redis"), []),
            "redraft_samples": samples.get((test, pipeline, "redraft"), []),
        })


def num(v, fmt):
    return "-" if v is None else format(v, fmt)


header = f"{'test':<16} {'pipeline':>8} {'redis ops/s':>14} {'redraft ops/s':>14} {'ratio':>7}"
print()
print(f"median of {rounds} rounds, {os.environ['BENCH_CLIENTS']} clients")
print(header)
print("-" * len(header))
for r in rows:
    print(
        f"{r['test']:<16} {r['pipeline']:>8} {num(r['redis_ops_per_sec'], ',.0f'):>14} "
        f"{num(r['redraft_ops_per_sec'], ',.0f'):>14} {num(r['ratio'], '.2f'):>7}"
    )

result = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "redis_version": os.environ["REDIS_VERSION"],
    "redis_persistence": os.environ["BENCH_REDIS_MODE"],
    "redraft_revision": os.environ["REDRAFT_REV"],
    "cpus": os.cpu_count(),
    "clients": int(os.environ["BENCH_CLIENTS"]),
    "rounds": rounds,
    "requests": {"1": int(os.environ["BENCH_N1"]), "16": int(os.environ["BENCH_N16"])},
    "ratio": "redraft / redis (median ops/s)",
    "results": rows,
}
out = os.environ["BENCH_JSON"]
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
with open(out, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
print(f"\nJSON written to {out}")
EOF
