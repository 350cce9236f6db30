#!/usr/bin/env bash
# The docker compose cluster of deploy/, end to end (issue 6's "what must show it works"):
#
#   tests/docker/compose_test.sh
#
# Builds the image from the binaries already built (no cargo here: $REDRAFT_BIN_DIR, default
# scripts/lib.sh redraft_bin_dir), starts deploy/docker-compose.yml under a project name and
# host ports of its own, waits for three healthy nodes, writes 10,000 sessions with SETEX
# through node1 and reads them through node3, `docker kill`s the leader while writing through a
# survivor and prints the failover time (kill to first acknowledged write), checks every
# acknowledged key is there with a TTL, `docker start`s the killed node and checks it catches
# up, kills all three at once and starts them again and checks everything is back, runs the
# guide's operations (redis-cli PING in the container, the Python snippet, logs, a backup with
# BGSAVE and a restore with RAFT.RESTORE, as the README says), checks the
# password is in no image, no log and no `docker inspect` output but its own variable, and
# removes everything (`down -v`, the data directories, the image).
#
# Skips (exit 0, saying so) when no Docker engine answers or no compose tool is installed.
# Needs python3 with the `redis` package. REDRAFT_FAILOVER_MAX (seconds, default 5) bounds
# the failover time; the target is 2 s.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../../scripts/lib.sh"
repo=$(redraft_repo)

if ! docker info >/dev/null 2>&1; then
    echo "SKIP: no Docker engine answers ('docker info' failed): the compose test did not run"
    exit 0
fi
if ! mapfile -t compose_cmd < <(redraft_compose) || ((${#compose_cmd[@]} == 0)); then
    echo "SKIP: Docker answers but neither 'docker compose' nor 'docker-compose' is installed"
    exit 0
fi
if ! python3 -c 'import redis' 2>/dev/null; then
    echo "FAIL: python3 cannot import redis (pip install redis; .ci/run installs it)"
    exit 1
fi

bin_dir=${REDRAFT_BIN_DIR:-$(redraft_bin_dir)}
failover_max=${REDRAFT_FAILOVER_MAX:-5}
project=redraft-test-$$-$RANDOM
image=redraft-test:$project
work=$(mktemp -d "${TMPDIR:-/tmp}/redraft-compose.XXXXXX")
acked=$work/acked.txt
started=$SECONDS

# Everything compose needs, in an env file of our own (a developer's deploy/.env is not read)
# and in the environment (which compose prefers to any file).
export REDIS_PASSWORD
REDIS_PASSWORD=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
export REDRAFT_IMAGE=$image REDRAFT_DATA=$work/data REDRAFT_UID REDRAFT_GID
REDRAFT_UID=$(id -u)
REDRAFT_GID=$(id -g)
export REDRAFT_PORT1 REDRAFT_PORT2 REDRAFT_PORT3
REDRAFT_PORT1=$(redraft_free_port)
REDRAFT_PORT2=$(redraft_free_port)
REDRAFT_PORT3=$(redraft_free_port)
ports=("$REDRAFT_PORT1" "$REDRAFT_PORT2" "$REDRAFT_PORT3")
unset REDRAFT_ALLOW_NO_PASSWORD
env | grep -E '^(REDIS_PASSWORD|REDRAFT_)' >"$work/test.env"
compose=("${compose_cmd[@]}" --project-name "$project" --env-file "$work/test.env"
    --file "$repo/deploy/docker-compose.yml")

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

cleanup() {
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1
    docker image rm -f "$image" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The container id of service $1.
cid() {
    "${compose[@]}" ps -q "$1"
}

# Waits until every service named is healthy, for at most $1 seconds.
wait_healthy() {
    local timeout=$1 service state ok
    shift
    local deadline=$((SECONDS + timeout))
    while :; do
        ok=0
        for service in "$@"; do
            state=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' \
                "$(cid "$service")" 2>/dev/null)
            [[ "$state" == healthy ]] && ok=$((ok + 1))
        done
        ((ok == $#)) && return 0
        if ((SECONDS > deadline)); then
            echo "not healthy after ${timeout}s:"
            "${compose[@]}" ps
            "${compose[@]}" logs --tail 20
            return 1
        fi
        sleep 0.5
    done
}

sessions() {
    python3 "$here/sessions.py" "$@"
}

echo "project $project, ports ${ports[*]}, data $work/data, compose: ${compose_cmd[*]}"

echo "== image"
if ! "$repo/deploy/image.sh" "$bin_dir" "$image"; then
    fail "the image did not build"
    exit 1
fi

echo "== up"
mkdir -p "$work/data/node1" "$work/data/node2" "$work/data/node3"
if ! "${compose[@]}" up -d || ! wait_healthy 60 node1 node2 node3; then
    fail "the cluster did not come up healthy"
    exit 1
fi
echo "three nodes healthy after $((SECONDS - started))s"

echo "== the guide's operations"
pong=$("${compose[@]}" exec -T node1 redis-cli -a "$REDIS_PASSWORD" PING 2>/dev/null | tr -d '\r')
[[ "$pong" == PONG ]] || fail "redis-cli -a ... PING in node1 answered '$pong'"
pong=$("${compose[@]}" exec -T node1 redraft-cli -a "$REDIS_PASSWORD" --no-auth-warning PING | tr -d '\r')
[[ "$pong" == PONG ]] || fail "redraft-cli -a ... PING in node1 answered '$pong'"
noauth=$("${compose[@]}" exec -T node2 redis-cli GET key 2>&1 | tr -d '\r')
[[ "$noauth" == *NOAUTH* ]] || fail "a client without the password got '$noauth' (want NOAUTH)"
sessions snippet "${ports[0]}" || fail "the guide's Python snippet"
echo "PING in the container: $pong; without a password: $noauth"

echo "== 10,000 sessions through node1, read through node3"
sessions load "${ports[0]}" "${ports[2]}" 10000 "$acked" || fail "load"

echo "== kill the leader"
leader=$(sessions leader "${ports[0]}")
if [[ ! "$leader" =~ ^[123]$ ]]; then
    fail "no leader ($leader)"
    exit 1
fi
survivor=$((leader % 3 + 1))
echo "leader: node$leader; writing through node$survivor (port ${ports[survivor - 1]})"
out=$(sessions failover "${ports[survivor - 1]}" "$(cid "node$leader")" "$acked") || fail "failover"
echo "$out"
seconds=$(sed -n 's/^FAILOVER_SECONDS=//p' <<<"$out")
if [[ -n "$seconds" ]] && python3 -c "import sys; sys.exit(not $seconds > $failover_max)"; then
    fail "writes took ${seconds}s to succeed again (bound ${failover_max}s; target 2 s)"
fi
sessions check "${ports[survivor - 1]}" "$acked" || fail "acknowledged keys lost after the failover"

echo "== restart the killed node"
docker start "$(cid "node$leader")" >/dev/null || fail "docker start node$leader"
wait_healthy 30 "node$leader" || fail "node$leader not healthy after its restart"
sessions catchup "${ports[leader - 1]}" "$acked" 30 || fail "node$leader did not catch up"

echo "== kill all three at once, start them again"
sessions load "${ports[1]}" "${ports[1]}" 1000 "$acked" >/dev/null || fail "writes before the kill"
ids=("$(cid node1)" "$(cid node2)" "$(cid node3)")
docker kill "${ids[@]}" >/dev/null || fail "docker kill of the three nodes"
docker start "${ids[@]}" >/dev/null || fail "docker start of the three nodes"
if wait_healthy 60 node1 node2 node3; then
    for n in 1 2 3; do
        sessions check "${ports[n - 1]}" "$acked" || fail "acknowledged keys lost through node$n"
    done
else
    fail "the cluster did not come back after all three were killed"
fi

echo "== backup with BGSAVE and a copy of dump.rdb, restore with RAFT.RESTORE (README)"
cli() {
    "${compose[@]}" exec -T "$1" redraft-cli -a "$REDIS_PASSWORD" --no-auth-warning "${@:2}" |
        tr -d '\r'
}
saves() {
    cli node1 INFO persistence | sed -n 's/^rdb_saves://p'
}
keys=$(cli node1 DBSIZE)
before=$(saves)
reply=$(cli node1 BGSAVE)
[[ "$reply" == "Background saving started" ]] || fail "BGSAVE answered '$reply'"
for _ in $(seq 1 100); do
    [[ "$(saves)" != "$before" ]] && break
    sleep 0.1
done
[[ "$(saves)" != "$before" ]] || fail "BGSAVE did not complete within 10 s"
cp "$work/data/node1/dump.rdb" "$work/backup.rdb" || fail "copying data/node1/dump.rdb"
[[ "$(cli node2 FLUSHALL)" == OK ]] || fail "FLUSHALL"
[[ "$(cli node3 DBSIZE)" == 0 ]] || fail "keys left after FLUSHALL"
cp "$work/backup.rdb" "$work/data/node2/restore.rdb" || fail "copying the backup to data/node2"
reply=$(cli node2 RAFT.RESTORE /data/restore.rdb)
[[ "$reply" == OK ]] || fail "RAFT.RESTORE answered '$reply'"
for n in 1 2 3; do
    sessions check "${ports[n - 1]}" "$acked" || fail "acknowledged keys missing after the restore (node$n)"
done
echo "backup of $keys keys restored through node2: $(cli node3 DBSIZE) keys on node3"

echo "== no secret in images, compose file, inspect or logs"
leaks() {
    grep -c -F -- "$REDIS_PASSWORD" || true
}
n=$(leaks <"$repo/deploy/docker-compose.yml")
((n == 0)) || fail "the password is in docker-compose.yml"
n=$({ docker image inspect "$image"; docker history --no-trunc "$image"; docker save "$image"; } | leaks)
((n == 0)) || fail "the password is in the image ($n matches)"
n=$(docker inspect "${ids[@]}" | grep -v -F "\"REDIS_PASSWORD=$REDIS_PASSWORD\"" | leaks)
((n == 0)) || fail "docker inspect shows the password outside REDIS_PASSWORD ($n lines)"
n=$(docker inspect "${ids[@]}" | grep -c -F "\"REDIS_PASSWORD=$REDIS_PASSWORD\"")
((n == 3)) || fail "REDIS_PASSWORD appears $n times in docker inspect of three containers"
"${compose[@]}" logs --no-color >"$work/logs.txt" 2>&1
[[ -s "$work/logs.txt" ]] || fail "docker compose logs printed nothing"
n=$(leaks <"$work/logs.txt")
((n == 0)) || fail "the password is in the logs ($n lines)"
echo "checked: image, compose file, docker inspect (only REDIS_PASSWORD), logs ($(wc -l <"$work/logs.txt") lines)"

echo "== down -v"
"${compose[@]}" down -v --remove-orphans || fail "docker compose down -v"
left=$(docker ps -a --filter "label=com.docker.compose.project=$project" -q | wc -l)
((left == 0)) || fail "$left containers left after down"
rm -rf "$work/data" || fail "cannot remove the data directories"

echo "compose test: $failures failure(s) in $((SECONDS - started))s${seconds:+; failover ${seconds}s}"
((failures == 0))
