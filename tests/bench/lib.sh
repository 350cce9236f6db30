# shellcheck shell=bash
# The benchmark's building blocks, shared by tests/bench/run.sh (and through it by compare.sh,
# cluster.sh, memory.sh and persistence.sh): servers on free loopback ports, redis-benchmark
# and redraft-bench runs, failover, restart, memory and persistence measurements. Source it
# after scripts/lib.sh; call bench_setup first. Every measurement leaves its raw result as a file
# under $bench_work (CSV, JSON or `name=value` lines) for tests/bench/report.py.

# Servers by name: pid, client port and (redraft cluster nodes) Raft port.
declare -gA bench_pid=() bench_port=() bench_raft_port=()
bench_work=
bench_peers=

# bench_setup: the work folder, the cleanup on exit, the tools, the binaries.
bench_setup() {
    bench_work=$(mktemp -d "${TMPDIR:-/tmp}/redraft-bench.XXXXXX")
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    bench_need_tools
    bench_binaries
}

bench_cleanup() {
    local name
    for name in "${!bench_pid[@]}"; do
        redraft_stop_pid "${bench_pid[$name]}" 2
    done
    if [[ -n "${BENCH_KEEP:-}" ]]; then
        echo "work folder kept: $bench_work" >&2
    else
        rm -rf "$bench_work"
    fi
}

# Installs redis-server and redis-tools from the distribution when a tool is missing.
bench_need_tools() {
    local missing=() tool sudo=()
    for tool in redis-server redis-benchmark redis-cli; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if ((${#missing[@]} > 0)); then
        echo "installing redis-server redis-tools (missing: ${missing[*]})"
        ((EUID == 0)) || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
    fi
    command -v python3 >/dev/null || {
        echo "python3 is needed" >&2
        exit 1
    }
}

# REDRAFT_BIN and REDRAFT_BENCH_BIN: given, or built here (release, the whole workspace).
bench_binaries() {
    if [[ -z "${REDRAFT_BIN:-}" || -z "${REDRAFT_BENCH_BIN:-}" ]]; then
        local target
        target=$(redraft_target_dir)
        echo "building redraft (release, target dir $target)"
        CARGO_TARGET_DIR=$target cargo build --release --workspace
        REDRAFT_BIN=${REDRAFT_BIN:-$(redraft_bin_dir)/redraft}
        REDRAFT_BENCH_BIN=${REDRAFT_BENCH_BIN:-$(redraft_bin_dir)/redraft-bench}
    fi
    export REDRAFT_BIN REDRAFT_BENCH_BIN
}

# A free loopback port that no server of this run has taken yet.
bench_fresh_port() {
    local p
    while :; do
        p=$(redraft_free_port)
        [[ " ${bench_port[*]} ${bench_raft_port[*]} " == *" $p "* ]] || break
    done
    echo "$p"
}

# bench_wait_started NAME: waits for the server's port, or prints its log and exits.
bench_wait_started() {
    local name=$1
    redraft_wait_port "${bench_port[$name]}" 30 "${bench_pid[$name]}" && return 0
    echo "$name did not start:" >&2
    tail -n 20 "$bench_work/$name.log" >&2
    exit 1
}

# bench_start_redis NAME REDIS-ARGS...: a redis-server in $bench_work/NAME (keeps its port
# when started again under the same name).
bench_start_redis() {
    local name=$1
    shift
    [[ -n "${bench_port[$name]:-}" ]] || bench_port[$name]=$(bench_fresh_port)
    mkdir -p "$bench_work/$name"
    redis-server --port "${bench_port[$name]}" --bind 127.0.0.1 --dir "$bench_work/$name" \
        --logfile "$bench_work/$name.log" "$@" &
    bench_pid[$name]=$!
    bench_wait_started "$name"
}

# bench_start_redraft NAME REDRAFT-ARGS...: a redraft process in $bench_work/NAME (a
# one-node cluster unless the arguments give --peers); keeps its port when started again.
bench_start_redraft() {
    local name=$1
    shift
    [[ -n "${bench_port[$name]:-}" ]] || bench_port[$name]=$(bench_fresh_port)
    mkdir -p "$bench_work/$name"
    env -u REDIS_PASSWORD "$REDRAFT_BIN" --port "${bench_port[$name]}" --dir "$bench_work/$name" \
        --raft-heartbeat-ms "${BENCH_HEARTBEAT_MS:-100}" \
        --raft-election-timeout-ms "${BENCH_ELECTION_MS:-300}" \
        --loglevel warning "$@" >>"$bench_work/$name.log" 2>&1 &
    bench_pid[$name]=$!
    bench_wait_started "$name"
}

# bench_start_node ID: node ID of the three-node cluster (named nodeID), its ports chosen on
# the first call.
bench_start_node() {
    local id i
    id=$1
    if [[ -z "$bench_peers" ]]; then
        for i in 1 2 3; do
            bench_port[node$i]=$(bench_fresh_port)
            bench_raft_port[node$i]=$(bench_fresh_port)
        done
        bench_peers="1=127.0.0.1:${bench_raft_port[node1]},2=127.0.0.1:${bench_raft_port[node2]},3=127.0.0.1:${bench_raft_port[node3]}"
    fi
    bench_start_redraft "node$id" --node-id "$id" --raft-port "${bench_raft_port[node$id]}" \
        --peers "$bench_peers" --save ''
}

# bench_fresh_cluster: (re)starts the three-node cluster on empty data folders and waits for
# its leader.
bench_fresh_cluster() {
    local id
    for id in 1 2 3; do
        [[ -z "${bench_pid[node$id]:-}" ]] || bench_stop "node$id" 5
        rm -rf "${bench_work:?}/node$id"
    done
    for id in 1 2 3; do bench_start_node "$id"; done
    echo "cluster leader: node $(bench_leader)"
}

# bench_stop NAME [GRACE]: stops a server (TERM, then KILL after GRACE seconds).
bench_stop() {
    redraft_stop_pid "${bench_pid[$1]:-}" "${2:-30}"
    unset "bench_pid[$1]"
}

# bench_kill NAME: kill -9, as a crash.
bench_kill() {
    kill -KILL "${bench_pid[$1]}"
    wait "${bench_pid[$1]}" 2>/dev/null || true
    unset "bench_pid[$1]"
}

# bench_raft_field NAME FIELD: one field of the node's RAFT.INFO (empty when it does not answer).
bench_raft_field() {
    redis-cli -p "${bench_port[$1]}" RAFT.INFO 2>/dev/null | sed -n "s/^$2:\([^[:space:]]*\).*/\1/p"
}

# bench_leader: the cluster leader's node id, waiting up to 30 s.
bench_leader() {
    local deadline=$((SECONDS + 30)) id
    while ((SECONDS < deadline)); do
        for id in 1 2 3; do
            [[ -n "${bench_pid[node$id]:-}" ]] || continue
            if [[ $(bench_raft_field "node$id" raft_role) == leader ]]; then
                echo "$id"
                return 0
            fi
        done
        sleep 0.05
    done
    echo "no leader" >&2
    return 1
}

# bench_wait_synced: waits (up to BENCH_SYNC_TIMEOUT seconds, default 600) until the three
# nodes have applied the same index.
bench_wait_synced() {
    local deadline=$((SECONDS + ${BENCH_SYNC_TIMEOUT:-600})) a b c
    while ((SECONDS < deadline)); do
        a=$(bench_raft_field node1 raft_applied_index)
        b=$(bench_raft_field node2 raft_applied_index)
        c=$(bench_raft_field node3 raft_applied_index)
        [[ -n $a && $a == "$b" && $a == "$c" ]] && return 0
        sleep 0.1
    done
    echo "the cluster did not converge in ${BENCH_SYNC_TIMEOUT:-600} s (applied: $a $b $c)" >&2
    return 1
}

# bench_port_of TARGET: where a benchmark target takes its load (a cluster: its leader).
bench_port_of() {
    if [[ $1 == cluster ]]; then
        echo "${bench_port[node$(bench_leader)]}"
    else
        echo "${bench_port[$1]}"
    fi
}

# The command redis-benchmark sends for a test, sent once with redis-cli to PORT.
bench_probe() { # TEST PORT
    local p=$2
    case $1 in
    set) redis-cli -p "$p" SET bench:probe v ;;
    get) redis-cli -p "$p" GET bench:probe ;;
    incr) redis-cli -p "$p" INCR bench:probe:counter ;;
    mset) redis-cli -p "$p" MSET bench:probe:a 1 bench:probe:b 2 ;;
    lpush | lrange_100) redis-cli -p "$p" LPUSH bench:probe:list a ;;
    rpop) redis-cli -p "$p" RPOP bench:probe:list ;;
    sadd) redis-cli -p "$p" SADD bench:probe:set a ;;
    hset) redis-cli -p "$p" HSET bench:probe:hash f v ;;
    zadd) redis-cli -p "$p" ZADD bench:probe:zset 1 a ;;
    *) echo "ERR unknown benchmark test $1" ;;
    esac
}

# bench_supported PORT TESTS...: the tests whose command the server on PORT answers without
# an error (redis-benchmark counts error replies as requests, so the others are not run).
bench_supported() {
    local p=$1 t reply
    shift
    for t in "$@"; do
        reply=$(bench_probe "$t" "$p" 2>&1 || true)
        if [[ "$reply" =~ ^(ERR|\(error\)|Could not) ]]; then
            echo "port $p does not implement '$t' ($reply): skipped" >&2
        else
            echo "$t"
        fi
    done
    redis-cli -p "$p" FLUSHALL >/dev/null 2>&1 || true
}

# bench_redis_benchmark TARGET PORT PIPELINE N ROUND TESTS...: one redis-benchmark -c
# $BENCH_CLIENTS run, its CSV kept as $bench_work/bench/ROUND-TARGET-PPIPELINE.csv.
bench_redis_benchmark() {
    local target=$1 p=$2 pipeline=$3 n=$4 round=$5 list start
    shift 5
    list=$(IFS=,; echo "$*")
    mkdir -p "$bench_work/bench"
    local csv="$bench_work/bench/$round-$target-P$pipeline.csv"
    printf 'round %s  -P %-2s  %-13s redis-benchmark %s ... ' "$round" "$pipeline" "$target" "$list"
    start=$SECONDS
    if ! timeout 900 redis-benchmark -h 127.0.0.1 -p "$p" -q -c "${BENCH_CLIENTS:-50}" -n "$n" \
        -P "$pipeline" -t "$list" --csv >"$csv" 2>>"$bench_work/benchmark.err"; then
        echo "failed"
        tail -n 5 "$bench_work/benchmark.err" >&2
        rm -f "$csv"
        return 1
    fi
    echo "$((SECONDS - start))s"
}

# bench_session TARGET PORT PIPELINE ROUND: one redraft-bench run of the session mix, its
# JSON line kept as $bench_work/session/ROUND-TARGET-PPIPELINE.json.
bench_session() {
    local target=$1 p=$2 pipeline=$3 round=$4 start
    mkdir -p "$bench_work/session"
    local out="$bench_work/session/$round-$target-P$pipeline.json"
    printf 'round %s  -P %-2s  %-13s session mix ... ' "$round" "$pipeline" "$target"
    start=$SECONDS
    if ! timeout 900 "$REDRAFT_BENCH_BIN" --port "$p" --clients "${BENCH_CLIENTS:-50}" \
        --pipeline "$pipeline" --seconds "${BENCH_SESSION_SECONDS:-10}" --get-ratio 0.8 \
        --value-size 1024 --keys "${BENCH_SESSION_KEYS:-10000}" >"$out" \
        2>>"$bench_work/benchmark.err"; then
        echo "failed"
        tail -n 5 "$bench_work/benchmark.err" >&2
        rm -f "$out"
        return 1
    fi
    echo "$((SECONDS - start))s"
}

# bench_failover FILE: kills the leader (-9) while a client writes through a follower, appends
# the milliseconds from the kill to the first acknowledged write to FILE, restarts the killed
# node and waits until the cluster has converged again. Fails when no write is acknowledged
# within 60 s or the cluster does not converge. (Not in a $(...): it restarts a node.)
bench_failover() {
    local out=$1 lead follower killed_ns
    lead=$(bench_leader)
    follower=1
    [[ $follower != "$lead" ]] || follower=2
    bench_kill "node$lead"
    killed_ns=$(date +%s%N)
    python3 - "${bench_port[node$follower]}" "$killed_ns" >>"$out" <<'EOF' || return 1
import socket, sys, time
port, killed = int(sys.argv[1]), int(sys.argv[2])
cmd = b"*3\r\n$3\r\nSET\r\n$14\r\nfailover-probe\r\n$1\r\n1\r\n"
while True:
    if time.time_ns() - killed > 60e9:
        sys.exit("no write acknowledged within 60 s of the kill")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(cmd)
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
            if reply.startswith(b"+OK"):
                break
    except OSError:
        pass
    time.sleep(0.005)
print((time.time_ns() - killed) // 1_000_000)
EOF
    bench_start_node "$lead"
    bench_wait_synced
}

# bench_gen DATASET KEYS: the dataset's commands as RESP on stdout.
#   strings: SET key:<i> <8-byte value>
#   hashes:  HSET hash:<i> with 5 fields of ~6-byte names and values
#   zsets:   ZADD zset:<i> with 5 members and integer scores
#   persist: SET key:<i> <100-byte value>, and every 1000th key a hash of 10 such fields
bench_gen() {
    python3 - "$1" "$2" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)
big = b"0" * 100
buf = []
for i in range(n):
    if kind == "strings":
        buf.append(cmd("SET", f"key:{i}", f"v{i % 10000000:07d}"))
    elif kind == "hashes":
        args = ["HSET", f"hash:{i}"]
        for f in range(5):
            args += [f"field{f}", f"v{(i + f) % 100000:05d}"]
        buf.append(cmd(*args))
    elif kind == "zsets":
        args = ["ZADD", f"zset:{i}"]
        for m in range(5):
            args += [m + 1, f"member{m}"]
        buf.append(cmd(*args))
    elif i % 1000 == 0:
        args = ["HSET", f"hash:{i}"]
        for f in range(10):
            args += [f"f{f}", big]
        buf.append(cmd(*args))
    else:
        buf.append(cmd("SET", f"key:{i}", big))
    if len(buf) >= 10000:
        out.write(b"".join(buf))
        buf = []
out.write(b"".join(buf))
PY
}

# bench_load NAME FILE: sends a RESP file to the server with redis-cli --pipe.
bench_load() {
    redis-cli -p "${bench_port[$1]}" --pipe <"$2" >"$bench_work/pipe.log" 2>&1 || {
        cat "$bench_work/pipe.log" >&2
        return 1
    }
}

bench_rss_kb() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# bench_dbsize NAME [local]: DBSIZE through the server; `local`: after READONLY, so that a
# redraft follower answers from its own state instead of forwarding the read to the leader.
bench_dbsize() {
    if [[ ${2:-} == local ]]; then
        printf 'READONLY\nDBSIZE\n' | redis-cli -p "${bench_port[$1]}" 2>/dev/null | tail -n 1 || true
    else
        redis-cli -p "${bench_port[$1]}" DBSIZE 2>/dev/null || true
    fi
}

# bench_wait_keys NAME KEYS [local]: waits (up to 10 min) until the server answers DBSIZE
# (bench_dbsize) with KEYS.
bench_wait_keys() {
    local deadline=$((SECONDS + 600)) n
    while ((SECONDS < deadline)); do
        n=$(bench_dbsize "$1" "${3:-}")
        [[ "$n" == "$2" ]] && return 0
        sleep 0.01
    done
    echo "$1 never held $2 keys (last DBSIZE: ${n:-none})" >&2
    return 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# bench_settled_rss_kb NAME: the resident set (KB) of server NAME once it stopped changing:
# every second MEMORY PURGE hands jemalloc's freed but not yet returned pages back to the
# system, until two samples in a row are within 1% (at most 60 s). What remains is what the
# data holds, not how recently the allocator was busy: a snapshot taken by redraft during a
# load may still be running, and frees the B-tree nodes that writes copied meanwhile.
bench_settled_rss_kb() {
    local last=0 rss i
    for ((i = 0; i < 60; i++)); do
        sleep 1
        redis-cli -p "${bench_port[$1]}" MEMORY PURGE >/dev/null
        rss=$(bench_rss_kb "${bench_pid[$1]}")
        if ((rss * 100 >= last * 99 && rss * 100 <= last * 101)); then
            break
        fi
        last=$rss
    done
    echo "$rss"
}

# bench_memory KIND DATASET KEYS FILE: a fresh server (redis without persistence, or a one-node
# redraft), loaded with the dataset; writes the growth of its resident set (KB, settled:
# bench_settled_rss_kb) to FILE.
bench_memory() {
    local kind=$1 dataset=$2 keys=$3 out=$4 name="mem-$1" before after dbsize
    unset "bench_port[$name]"
    rm -rf "${bench_work:?}/$name"
    if [[ $kind == redis ]]; then
        bench_start_redis "$name" --save '' --appendonly no
    else
        bench_start_redraft "$name" --save ''
    fi
    before=$(bench_rss_kb "${bench_pid[$name]}")
    bench_gen "$dataset" "$keys" >"$bench_work/$dataset.resp"
    bench_load "$name" "$bench_work/$dataset.resp"
    after=$(bench_settled_rss_kb "$name")
    dbsize=$(bench_dbsize "$name")
    bench_stop "$name"
    if [[ $dbsize != "$keys" ]]; then
        echo "$name holds $dbsize keys, expected $keys" >&2
        return 1
    fi
    printf 'keys=%s\nkb=%s\n' "$keys" $((after - before)) >"$out"
}

# bench_save_time NAME ROUNDS: the median of ROUNDS timed SAVEs, in seconds.
bench_save_time() {
    local times=() t0 r
    for ((r = 0; r < $2; r++)); do
        t0=$(now)
        redis-cli -p "${bench_port[$1]}" SAVE >/dev/null
        times+=("$(elapsed "$t0" "$(now)")")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$((($2 + 1) / 2))p"
}

# bench_p99_during_bgsave NAME N: SET p99 (ms) of N redis-benchmark requests while BGSAVE is
# issued every 100 ms.
bench_p99_during_bgsave() {
    local saver p99
    (while :; do redis-cli -p "${bench_port[$1]}" BGSAVE >/dev/null 2>&1 || true; sleep 0.1; done) &
    saver=$!
    p99=$(redis-benchmark -p "${bench_port[$1]}" -t set -c 50 -n "$2" -r 100000 --csv 2>/dev/null |
        awk -F'","' 'NR == 2 { gsub(/"/, "", $7); print $7 }')
    redraft_stop_pid "$saver" 1
    echo "$p99"
}
