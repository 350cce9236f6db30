#!/usr/bin/env bash
# Runs a redraft server from source, like the README's "run it":
#
#   scripts/run.sh [--directive value ...]
#
# is `mkdir -p ./data && cargo run --release -p redraft-node --bin redraft -- --port 6379
# --dir ./data [--directive value ...]`, built into the same target dir as scripts/test.sh.
# Later flags win: `scripts/run.sh --port 6380 --requirepass secret`. REDIS_PASSWORD from the
# environment sets the password too.
#
#   scripts/run.sh CONFIG_FILE [--directive value ...]
#
# runs with that redis.conf-style file instead of the defaults above (flags still win).

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(redraft_repo)"
CARGO_TARGET_DIR=$(redraft_target_dir)
export CARGO_TARGET_DIR
run=(cargo run --release -p redraft-node --bin redraft --)
if [[ $# -gt 0 && "$1" != --* ]]; then
    exec "${run[@]}" "$@"
fi
mkdir -p ./data
exec "${run[@]}" --port 6379 --dir ./data "$@"
