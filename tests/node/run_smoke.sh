#!/usr/bin/env bash
# Runs the shared Node.js smoke test (shared/clients/node/smoke.js, node-redis and ioredis from
# the offline bundle node-clients.tgz) against a server, once with the clients' default
# protocol (RESP3) and once with REDIS_PROTOCOL=2.
#
#   REDIS_HOST=127.0.0.1 REDIS_PORT=6379 REDIS_PASSWORD=secret tests/node/run_smoke.sh
#   tests/node/run_smoke.sh [HOST [PORT]]      (the password only from REDIS_PASSWORD)
#
# smoke.js checks every flow this build covers. Only the checks in COVERED decide the result; the others are printed as
# "pending (later issue)". Ends with `N passed, M failed` over the covered checks of both runs
# and exits 1 when one failed or did not report.
#
# The shared/ folder is found beside the repository (or through $REDRAFT_SHARED), like .ci/run.

set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

# The checks this milestone implements, for each client.
COVERED=(connect ping set_get setex exists del incr_expire list set hash zset pubsub multi_exec eval info cleanup close)
CLIENTS=(node-redis ioredis)

export REDIS_HOST=${1:-${REDIS_HOST:-127.0.0.1}}
export REDIS_PORT=${2:-${REDIS_PORT:-6379}}
if [[ -n "${REDIS_PASSWORD:-}" ]]; then
    export REDIS_PASSWORD
else
    unset REDIS_PASSWORD
fi

if ! shared=$(redraft_shared_dir); then
    echo "FAIL: shared/ folder not found beside $(redraft_repo) (set REDRAFT_SHARED)"
    echo "0 passed, 1 failed"
    exit 1
fi
clients_dir=$shared/clients/node
if ! command -v node >/dev/null; then
    echo "FAIL: node is not installed (Node.js 20 is needed)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [[ ! -f "$clients_dir/node-clients.tgz" || ! -f "$clients_dir/smoke.js" ]]; then
    echo "FAIL: $clients_dir lacks node-clients.tgz or smoke.js"
    echo "0 passed, 1 failed"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/redraft-node-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! tar -xzf "$clients_dir/node-clients.tgz" -C "$work"; then
    echo "FAIL: cannot extract $clients_dir/node-clients.tgz"
    echo "0 passed, 1 failed"
    exit 1
fi

is_covered() {
    local check=${1#*:} c
    for c in "${COVERED[@]}"; do
        [[ "$check" == "$c" ]] && return 0
    done
    return 1
}

passed=0
failed=0
pending_ok=0
pending_fail=0

# run_once LABEL: runs smoke.js with the current REDIS_PROTOCOL and tallies its lines.
run_once() {
    local label=$1 out line name status client check
    local -A seen=()
    echo "# smoke.js, $label (REDIS_PROTOCOL=${REDIS_PROTOCOL:-unset}), node $(node --version), against $REDIS_HOST:$REDIS_PORT" \
        "($([[ -n "${REDIS_PASSWORD:-}" ]] && echo with || echo without) password)"
    out=$(NODE_PATH="$work/node_modules" node "$clients_dir/smoke.js" 2>&1)
    status=$?
    while IFS= read -r line; do
        case $line in
        "ok "*)
            name=${line#ok }
            seen[$name]=1
            if is_covered "$name"; then
                passed=$((passed + 1))
                echo "[$label] ok $name"
            else
                pending_ok=$((pending_ok + 1))
                echo "[$label] pending (later issue): $name (ok)"
            fi
            ;;
        "FAIL "*)
            name=${line#FAIL }
            name=${name%%: *}
            seen[$name]=1
            if is_covered "$name"; then
                failed=$((failed + 1))
                echo "[$label] $line"
            else
                pending_fail=$((pending_fail + 1))
                echo "[$label] pending (later issue): ${line#FAIL }"
            fi
            ;;
        *" passed, "*" failed") ;; # smoke.js's own total, over every check
        *) echo "[$label] $line" ;;
        esac
    done <<<"$out"
    # A covered check that printed nothing (smoke.js crashed or changed) is a failure.
    for client in "${CLIENTS[@]}"; do
        for check in "${COVERED[@]}"; do
            if [[ -z "${seen[$client:$check]:-}" ]]; then
                failed=$((failed + 1))
                echo "[$label] FAIL $client:$check: did not report (smoke.js exit $status)"
            fi
        done
    done
}

unset REDIS_PROTOCOL
run_once resp3
export REDIS_PROTOCOL=2
run_once resp2

echo "# pending checks of later issues: $pending_ok ok, $pending_fail failing (not counted)"
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
