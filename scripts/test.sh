#!/usr/bin/env bash
# The test command of the README: format, lint, build, unit and end-to-end tests, then the
# redis-py check and the Node.js smoke check against redraft servers started here, one with a
# password (given through REDIS_PASSWORD, like the users' .env) and one without, then a 60 s
# chaos scenario (redraft-chaos: kill, pause, partition), then the docker compose cluster test (tests/docker/compose_test.sh; skipped, saying so, when no
# Docker engine answers).
#
#   scripts/test.sh
#
# Builds once, in release, into one target dir: $CARGO_TARGET_DIR, else /var/cache/redraft-target
# when writable, else ./target. The binaries are static (.cargo/config.toml) and land in
# <target dir>/x86_64-unknown-linux-gnu/release; the docker test builds its image from them. Needs cargo (with rustfmt and clippy), python3 with the `redis`
# package, node 20 and the shared/ folder beside the repository (.ci/run installs what is
# missing). Every step runs even when an earlier one failed (except that nothing runs after a
# failed build); the exit status is non-zero when any step failed.

set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
repo=$(redraft_repo)
cd "$repo" || exit 1

target=$(redraft_target_dir)
export CARGO_TARGET_DIR=$target
bin=$(redraft_bin_dir)/redraft

results=()
step_notes=()
steps=0
failures=0
server_pids=()
server_dirs=()

section() {
    printf '\n==== %s ====\n' "$*"
}

# step NAME COMMAND...: runs COMMAND under a header and records PASS or FAIL with its duration
# (followed by the notes COMMAND left in step_notes).
step() {
    local name=$1 start=$SECONDS status
    shift
    section "$name"
    "$@"
    status=$?
    local took=$((SECONDS - start))
    if ((status == 0)); then
        results+=("PASS  $name (${took}s)")
        printf -- '---- %s: PASS (%ss)\n' "$name" "$took"
    else
        results+=("FAIL  $name (${took}s, exit $status)")
        failures=$((failures + 1))
        printf -- '---- %s: FAIL (exit %s, %ss)\n' "$name" "$status" "$took"
    fi
    steps=$((steps + 1))
    results+=("${step_notes[@]}")
    step_notes=()
    return "$status"
}

summary() {
    section "summary"
    printf '%s\n' "${results[@]}"
    printf 'target dir: %s\n' "$target"
    printf 'steps: %d passed, %d failed\n' "$((steps - failures))" "$failures"
}

cleanup() {
    local pid dir
    for pid in "${server_pids[@]}"; do
        redraft_stop_pid "$pid"
    done
    for dir in "${server_dirs[@]}"; do
        rm -rf "$dir"
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server PASSWORD: starts $bin on a free port (the password, if any, through
# REDIS_PASSWORD) and sets SERVER_PORT, SERVER_PID and SERVER_DIR.
start_server() {
    local password=$1
    SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redraft-test.XXXXXX")
    server_dirs+=("$SERVER_DIR")
    SERVER_PORT=$(redraft_free_port) || return 1
    if [[ -n "$password" ]]; then
        REDIS_PASSWORD=$password "$bin" --port "$SERVER_PORT" --dir "$SERVER_DIR" \
            >"$SERVER_DIR/server.log" 2>&1 &
    else
        env -u REDIS_PASSWORD "$bin" --port "$SERVER_PORT" --dir "$SERVER_DIR" \
            >"$SERVER_DIR/server.log" 2>&1 &
    fi
    SERVER_PID=$!
    server_pids+=("$SERVER_PID")
    if ! redraft_wait_port "$SERVER_PORT" 20 "$SERVER_PID"; then
        echo "redraft did not start on port $SERVER_PORT; its log:"
        sed 's/\x1b\[[0-9;]*m//g; s/^/    /' "$SERVER_DIR/server.log"
        return 1
    fi
    echo "redraft pid $SERVER_PID listening on 127.0.0.1:$SERVER_PORT (dir $SERVER_DIR)"
}

# client_checks LABEL PASSWORD: the redis-py check and the Node.js smoke check against a fresh
# server; fails when either fails or the server died meanwhile.
client_checks() {
    local label=$1 password=$2 status=0
    if ! start_server "$password"; then
        return 1
    fi
    local pid=$SERVER_PID port=$SERVER_PORT dir=$SERVER_DIR
    section "redis-py ($label)"
    if python3 -c 'import redis' 2>/dev/null; then
        REDIS_HOST=127.0.0.1 REDIS_PORT=$port REDIS_PASSWORD=$password \
            timeout 600 python3 tests/py/check_redis_py.py | tee "$dir/py.out"
        ((PIPESTATUS[0] == 0)) || status=1
        step_notes+=("      redis-py ($label): $(tail -n 1 "$dir/py.out")")
    else
        echo "FAIL: python3 cannot import redis (pip install redis; .ci/run installs it)"
        status=1
    fi
    section "node clients ($label)"
    REDIS_HOST=127.0.0.1 REDIS_PORT=$port REDIS_PASSWORD=$password \
        timeout 900 tests/node/run_smoke.sh | tee "$dir/node.out"
    ((PIPESTATUS[0] == 0)) || status=1
    step_notes+=("      node clients ($label): $(tail -n 1 "$dir/node.out")")
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "FAIL: redraft (pid $pid) exited during the checks"
        status=1
    fi
    if ((status != 0)); then
        echo "last lines of the server log ($dir/server.log):"
        tail -n 20 "$dir/server.log" | sed 's/\x1b\[[0-9;]*m//g; s/^/    /'
    fi
    redraft_stop_pid "$pid"
    return "$status"
}

# The compose test, noted in the summary with its last line (the failover time, or why it
# was skipped).
compose_check() {
    local out=$target/compose-test.out status
    REDRAFT_BIN_DIR=$(redraft_bin_dir) timeout 600 tests/docker/compose_test.sh | tee "$out"
    status=${PIPESTATUS[0]}
    step_notes+=("      docker compose: $(tail -n 1 "$out")")
    return "$status"
}

# The short chaos scenario (issue 7): a local 3-node cluster under the register workload
# while the leader is killed, paused and cut off (then random nodes), about 60 s; fails on any
# linearizability violation. The report goes to the target dir; the summary notes its
# headline figures.
chaos_check() {
    local out=$target/chaos-ci status
    timeout 300 "$(redraft_bin_dir)/redraft-chaos" --bin "$bin" --workload register \
        --faults kill,pause,partition --cycle --seconds 60 --interval 4 --hold 3 --seed 7 \
        --out "$out" >"$out.log" 2>&1
    status=$?
    tail -n 30 "$out.log"
    step_notes+=("      chaos: $(grep -E '^\| (operations|faults injected|violations|longest unavailability) ' "$out/report.md" 2>/dev/null | tr -d '|' | tr -s ' ' | paste -sd';')")
    return "$status"
}

echo "redraft tests: repo $repo, target dir $target"
cargo --version

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --release --workspace --all-targets -- -D warnings
if ! step "cargo build --release" cargo build --release --workspace; then
    summary
    exit 1
fi
step "cargo test --release" env REDRAFT_BIN="$bin" cargo test --release --workspace --no-fail-fast
password="redraft-test-$RANDOM$RANDOM"
step "clients, with password" client_checks "with password" "$password"
step "clients, without password" client_checks "without password" ""
step "chaos, short scenario" chaos_check
step "docker compose cluster" compose_check

summary
((failures == 0))
