#!/usr/bin/env bash
# Builds redraft and its image, then starts the three-node cluster of docker-compose.yml:
#
#   deploy/up.sh
#
# On first run it writes deploy/.env with a strong random REDIS_PASSWORD (readable by you
# only) and says so; it never prints the password. Data goes to deploy/data/node1..3 (or
# $REDRAFT_DATA from .env). It waits until the three nodes are healthy, then prints how to
# connect. Run it again after pulling new code: it rebuilds and recreates the containers,
# keeping the data. Needs cargo, docker and `docker compose` or docker-compose.

set -euo pipefail

deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$deploy/../scripts/lib.sh"
repo=$(redraft_repo)

if ! mapfile -t compose < <(redraft_compose) || ((${#compose[@]} == 0)); then
    echo "up.sh: neither 'docker compose' nor 'docker-compose' is installed" >&2
    exit 1
fi

echo "building redraft (release, static)"
(cd "$repo" && CARGO_TARGET_DIR=$(redraft_target_dir) \
    cargo build --release --workspace)

env_file=$deploy/.env
if [[ ! -f "$env_file" ]]; then
    (
        umask 077
        password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
        sed "s/^REDIS_PASSWORD=.*/REDIS_PASSWORD=$password/" "$deploy/.env.example" >"$env_file"
    )
    echo "wrote $env_file with a new random REDIS_PASSWORD (48 hex digits); keep it safe"
fi

# Settings from .env that this script needs too (compose reads the file itself).
env_value() {
    sed -n "s/^$1=//p" "$env_file" | tail -n 1
}
image=${REDRAFT_IMAGE:-$(env_value REDRAFT_IMAGE)}
export REDRAFT_IMAGE=${image:-redraft:latest}
"$deploy/image.sh" "$(redraft_bin_dir)" "$REDRAFT_IMAGE"

# The nodes run as the user who owns the data (you), so backups need no sudo.
uid=$(env_value REDRAFT_UID)
gid=$(env_value REDRAFT_GID)
export REDRAFT_UID=${REDRAFT_UID:-${uid:-$(id -u)}}
export REDRAFT_GID=${REDRAFT_GID:-${gid:-$(id -g)}}
data=${REDRAFT_DATA:-$(env_value REDRAFT_DATA)}
data=${data:-./data}
cd "$deploy"
mkdir -p "$data/node1" "$data/node2" "$data/node3"

"${compose[@]}" up -d

echo "waiting for the three nodes to be healthy"
deadline=$((SECONDS + 60))
while :; do
    healthy=0
    for service in node1 node2 node3; do
        id=$("${compose[@]}" ps -q "$service")
        state=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")
        [[ "$state" == healthy ]] && healthy=$((healthy + 1))
    done
    ((healthy == 3)) && break
    if ((SECONDS > deadline)); then
        echo "up.sh: not every node is healthy after 60 s; see '${compose[*]} logs'" >&2
        "${compose[@]}" ps >&2
        exit 1
    fi
    sleep 1
done
ports=()
for n in 1 2 3; do
    var=REDRAFT_PORT$n
    value=${!var:-$(env_value "$var")}
    ports+=("${value:-$((6378 + n))}")
done
"${compose[@]}" ps
cat <<MSG

redraft is up: node1, node2, node3 on 127.0.0.1:${ports[0]}, :${ports[1]}, :${ports[2]}
(password: REDIS_PASSWORD in $env_file). Try:
  cd $deploy && ${compose[*]} exec node1 redis-cli -a "\$(sed -n 's/^REDIS_PASSWORD=//p' .env)" PING
MSG
