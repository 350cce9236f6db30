# shellcheck shell=bash
# Helpers shared by scripts/test.sh, scripts/run.sh, .ci/run, tests/node/run_smoke.sh,
# tests/bench/*.sh, deploy/*.sh and tests/docker/compose_test.sh. Source it; it defines
# functions and REDRAFT_TRIPLE only and changes no shell option.

# The repository root (this file lives in <repo>/scripts).
redraft_repo() {
    (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

# The cargo target directory: $CARGO_TARGET_DIR if set, else /var/cache/redraft-target when it
# is (or can be made) writable, else <repo>/target.
redraft_target_dir() {
    if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then
        printf '%s\n' "$CARGO_TARGET_DIR"
        return
    fi
    local cache=/var/cache/redraft-target
    if mkdir -p "$cache" 2>/dev/null && [[ -w "$cache" ]]; then
        printf '%s\n' "$cache"
    else
        printf '%s\n' "$(redraft_repo)/target"
    fi
}

# The Rust target the project builds for (`[build] target` of .cargo/config.toml): release
# binaries are linked statically, so the same build serves the tests and the container image.
REDRAFT_TRIPLE=x86_64-unknown-linux-gnu

# Where `cargo build --release` puts the binaries (redraft, redraft-cli): the target dir's
# <triple>/release, because the build target is explicit.
redraft_bin_dir() {
    printf '%s/%s/release\n' "$(redraft_target_dir)" "$REDRAFT_TRIPLE"
}

# The docker compose command of this machine, one word per line: `docker compose` (the
# plugin) when it answers, else `docker-compose`. Fails when there is neither.
# Use: mapfile -t compose < <(redraft_compose)
redraft_compose() {
    if docker compose version >/dev/null 2>&1; then
        printf '%s\n' docker compose
    elif command -v docker-compose >/dev/null 2>&1; then
        printf '%s\n' docker-compose
    else
        return 1
    fi
}

# The shared/ folder that sits beside the repository (the CI clone has it as a sibling, like
# /work/shared beside /work/main). $REDRAFT_SHARED wins; from a git worktree elsewhere, the
# folder beside the main checkout is used. Prints nothing and fails when none exists.
redraft_shared_dir() {
    if [[ -n "${REDRAFT_SHARED:-}" ]]; then
        printf '%s\n' "$REDRAFT_SHARED"
        return
    fi
    local repo candidate common
    repo=$(redraft_repo)
    candidate="$(dirname "$repo")/shared"
    if [[ -d "$candidate" ]]; then
        printf '%s\n' "$candidate"
        return
    fi
    # A worktree (e.g. /work/wt/x): its common git dir is <main checkout>/.git.
    common=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) || return 1
    candidate="$(dirname "$(dirname "$common")")/shared"
    if [[ -d "$candidate" ]]; then
        printf '%s\n' "$candidate"
        return
    fi
    return 1
}

# A TCP port on 127.0.0.1 that nothing listens on: bound by the kernel, then released.
redraft_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until 127.0.0.1:$1 accepts connections, for at most $2 seconds (default 20), while the
# process $3 (optional) is alive. Fails otherwise.
redraft_wait_port() {
    local port=$1 timeout=${2:-20} pid=${3:-} deadline
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.05
    done
    return 1
}

# Stops process $1 (TERM, then KILL after $2 seconds, default 5) and reaps it when it is our
# child. Quiet when it has already exited.
redraft_stop_pid() {
    local pid=$1 grace=${2:-5} i
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 20; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
