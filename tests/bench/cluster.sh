#!/usr/bin/env bash
# A local three-node redraft cluster next to two real redis-servers, in one run, measured with
# redis-benchmark; then the failover time; then the Raft log's disk and memory use. Not run by
# CI: it takes minutes and wants a quiet machine.
#
#   tests/bench/cluster.sh
#
# Servers (all on free loopback ports):
#   redis-mem      redis-server without persistence (--save '' --appendonly no)
#   redis-durable  redis-server --appendonly yes --appendfsync always (a durable single node)
#   cluster        three redraft nodes; the benchmark talks to the leader
# For each of BENCH_ROUNDS rounds and each pipeline depth (-P 1, -P 16), runs
# `redis-benchmark -c 50 -t set,get` against each server in turn, and reports medians and the
# ratios cluster/redis-durable and cluster/redis-mem. Targets (the Raft issue): cluster SET
# >= 1.0x redis-durable, cluster GET >= 0.8x redis-mem.
#
# Then BENCH_FAILOVERS times (default 3): kill -9 the leader while a client writes through a
# follower, and time kill -> first acknowledged write; restart the killed node.
#
# Environment: BENCH_N1 (default 100000), BENCH_N16 (default 1000000), BENCH_ROUNDS (3),
# BENCH_FAILOVERS (3), BENCH_JSON (tests/bench/cluster.json), REDRAFT_BIN, REDIS_SERVER.

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
repo=$(redraft_repo)
cd "$repo"

rounds=${BENCH_ROUNDS:-3}
n1=${BENCH_N1:-100000}
n16=${BENCH_N16:-1000000}
failovers=${BENCH_FAILOVERS:-3}
out_json=${BENCH_JSON:-$repo/tests/bench/cluster.json}
redis_server=${REDIS_SERVER:-redis-server}
clients=50

for tool in "$redis_server" redis-benchmark redis-cli python3; do
    command -v "$tool" >/dev/null || {
        echo "cluster.sh: $tool not found (apt-get install redis-server redis-tools)" >&2
        exit 1
    }
done
python3 -c 'import redis' 2>/dev/null || {
    echo "cluster.sh: the python redis package is needed (pip install redis)" >&2
    exit 1
}

if [[ -z "${REDRAFT_BIN:-}" ]]; then
    target=$(redraft_target_dir)
    echo "building redraft (release, target dir $target)"
    CARGO_TARGET_DIR=$target cargo build --release -p redraft-node --bin redraft
    REDRAFT_BIN=$(redraft_bin_dir)/redraft
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/redraft-cluster-bench.XXXXXX")
declare -A pid port raft_port
cleanup() {
    for name in "${!pid[@]}"; do
        redraft_stop_pid "${pid[$name]}"
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fresh_port() {
    local p
    while :; do
        p=$(redraft_free_port)
        [[ " ${port[*]} ${raft_port[*]} " == *" $p "* ]] || break
    done
    echo "$p"
}

start_redis() { # NAME ARGS...
    local name=$1
    shift
    port[$name]=$(fresh_port)
    mkdir -p "$work/$name"
    "$redis_server" --port "${port[$name]}" --bind 127.0.0.1 --dir "$work/$name" \
        --logfile "$work/$name.log" "$@" &
    pid[$name]=$!
    redraft_wait_port "${port[$name]}" 20 "${pid[$name]}" || {
        echo "$name did not start" >&2
        exit 1
    }
}

start_redis redis-mem --save '' --appendonly no
start_redis redis-durable --save '' --appendonly yes --appendfsync always

for id in 1 2 3; do
    port[node$id]=$(fresh_port)
    raft_port[node$id]=$(fresh_port)
done
peers="1=127.0.0.1:${raft_port[node1]},2=127.0.0.1:${raft_port[node2]},3=127.0.0.1:${raft_port[node3]}"
start_node() { # ID
    local id=$1
    mkdir -p "$work/node$id"
    env -u REDIS_PASSWORD "$REDRAFT_BIN" --node-id "$id" --port "${port[node$id]}" \
        --raft-port "${raft_port[node$id]}" --peers "$peers" --dir "$work/node$id" \
        --loglevel warning >>"$work/node$id.log" 2>&1 &
    pid[node$id]=$!
    redraft_wait_port "${port[node$id]}" 30 "${pid[node$id]}" || {
        echo "node $id did not start:" >&2
        tail -n 20 "$work/node$id.log" >&2
        exit 1
    }
}
for id in 1 2 3; do
    start_node "$id"
done

leader() { # prints the leader's node id, waiting up to 30 s
    local deadline=$((SECONDS + 30)) id
    while ((SECONDS < deadline)); do
        for id in 1 2 3; do
            kill -0 "${pid[node$id]}" 2>/dev/null || continue
            if redis-cli -p "${port[node$id]}" RAFT.INFO 2>/dev/null | grep -q '^raft_role:leader'; then
                echo "$id"
                return 0
            fi
        done
        sleep 0.05
    done
    echo "no leader" >&2
    return 1
}
lead=$(leader)
echo "redis-mem :${port[redis-mem]}, redis-durable :${port[redis-durable]}, cluster leader node $lead :${port[node$lead]}"

run() { # NAME PORT PIPELINE N ROUND
    local name=$1 p=$2 pipeline=$3 n=$4 round=$5
    local csv="$work/round$round-$name-P$pipeline.csv"
    printf 'round %s/%s  -P %-2s  %-13s ... ' "$round" "$rounds" "$pipeline" "$name"
    local start=$SECONDS
    timeout 900 redis-benchmark -h 127.0.0.1 -p "$p" -q -c "$clients" -n "$n" -P "$pipeline" \
        -t set,get --csv >"$csv" 2>>"$work/benchmark.err" || {
        echo "failed"
        tail -n 5 "$work/benchmark.err" >&2
        return 1
    }
    echo "$((SECONDS - start))s"
}

for ((round = 1; round <= rounds; round++)); do
    for pipeline in 1 16; do
        n=$n1
        ((pipeline == 1)) || n=$n16
        run redis-mem "${port[redis-mem]}" "$pipeline" "$n" "$round"
        run redis-durable "${port[redis-durable]}" "$pipeline" "$n" "$round"
        lead=$(leader)
        run cluster "${port[node$lead]}" "$pipeline" "$n" "$round"
    done
done

# Resources of the Raft log after the load: disk of each node's raft/ and dump.rdb, and RSS.
resources="$work/resources.txt"
for id in 1 2 3; do
    raft_kb=$(du -sk "$work/node$id/raft" | cut -f1)
    dump_kb=$(du -sk "$work/node$id/dump.rdb" 2>/dev/null | cut -f1 || echo 0)
    rss_kb=$(ps -o rss= -p "${pid[node$id]}" | tr -d ' ')
    echo "node$id raft_dir_kb=$raft_kb dump_kb=${dump_kb:-0} rss_kb=$rss_kb" | tee -a "$resources"
done

# Failover: a writer through a follower; kill -9 the leader; time to the first acknowledged
# write through a surviving node.
failover_log="$work/failover.txt"
for ((f = 1; f <= failovers; f++)); do
    lead=$(leader)
    follower=1
    [[ $follower != "$lead" ]] || follower=2
    kill -KILL "${pid[node$lead]}"
    wait "${pid[node$lead]}" 2>/dev/null || true
    killed_ns=$(date +%s%N)
    python3 - "${port[node$follower]}" "$killed_ns" <<'EOF' | tee -a "$failover_log"
import sys, time, redis
port, killed = int(sys.argv[1]), int(sys.argv[2])
r = redis.Redis(port=port, socket_timeout=20)
attempts = 0
while True:
    attempts += 1
    try:
        r.set("failover-probe", str(attempts))
        break
    except redis.exceptions.RedisError:
        time.sleep(0.005)
print(f"failover_ms={(time.time_ns() - killed) / 1e6:.0f} attempts={attempts}")
EOF
    start_node "$lead"
    # The next failover starts from a healthy cluster: every node has applied the same index.
    deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        applied=$(for id in 1 2 3; do
            redis-cli -p "${port[node$id]}" RAFT.INFO 2>/dev/null |
                sed -n 's/^raft_applied_index:\([0-9]*\).*/\1/p'
        done | sort -u | wc -l)
        ((applied == 1)) && break
        sleep 0.1
    done
done

BENCH_WORK=$work BENCH_ROUNDS=$rounds BENCH_JSON=$out_json \
    REDRAFT_REV=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown) \
    python3 - <<'EOF'
import csv, datetime, glob, json, os, re, statistics

work = os.environ["BENCH_WORK"]
samples = {}
for path in sorted(glob.glob(os.path.join(work, "round*-*-P*.csv"))):
    base = os.path.basename(path)[len("round"):-len(".csv")]
    _round, rest = base.split("-", 1)
    name, pipeline = rest.rsplit("-P", 1)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            samples.setdefault((row["test"], int(pipeline), name), []).append(float(row["rps"]))

med = lambda k: statistics.median(samples[k]) if k in samples else None
rows = []
print()
print(f"{'test':<5} {'-P':>3} {'redis-mem':>12} {'redis-durable':>14} {'cluster':>12} {'vs durable':>11} {'vs mem':>8}")
for pipeline in (1, 16):
    for test in ("SET", "GET"):
        mem, durable, cluster = (med((test, pipeline, n)) for n in ("redis-mem", "redis-durable", "cluster"))
        r_d = round(cluster / durable, 3) if cluster and durable else None
        r_m = round(cluster / mem, 3) if cluster and mem else None
        rows.append(dict(test=test, pipeline=pipeline, redis_mem=mem, redis_durable=durable,
                         cluster=cluster, ratio_vs_durable=r_d, ratio_vs_mem=r_m))
        if None not in (mem, durable, cluster):
            print(f"{test:<5} {pipeline:>3} {mem:>12.0f} {durable:>14.0f} {cluster:>12.0f} {r_d:>11.2f} {r_m:>8.2f}")
failovers = []
with open(os.path.join(work, "failover.txt")) as f:
    for line in f:
        m = re.search(r"failover_ms=(\d+)", line)
        if m:
            failovers.append(int(m.group(1)))
resources = open(os.path.join(work, "resources.txt")).read().split("\n")
print()
print("failover (kill -9 of the leader to the first acknowledged write), ms:", failovers)
print("raft log resources after the run:")
for line in resources:
    if line:
        print("  " + line)
json.dump(dict(
    date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    redraft_rev=os.environ["REDRAFT_REV"], rounds=int(os.environ["BENCH_ROUNDS"]),
    clients=50, rows=rows, failover_ms=failovers,
    resources=[l for l in resources if l]), open(os.environ["BENCH_JSON"], "w"), indent=2)
print("\nwritten to", os.environ["BENCH_JSON"])
EOF
