#!/usr/bin/env bash
# Runs a local three-node redraft cluster from source, in the foreground, until Ctrl-C:
#
#   scripts/dev-cluster.sh [--directive value ...]
#
# Node N (1, 2, 3) serves clients on 127.0.0.1:637(8+N) (6379, 6380, 6381), talks Raft on
# 127.0.0.1:737(8+N), keeps its data in ./data/nodeN and logs to ./data/nodeN.log. Extra flags
# go to every node (`--requirepass secret`); REDIS_PASSWORD from the environment sets the
# password too. Restarting the script restarts the same cluster (the data stays); delete
# ./data to start afresh. Any node serves any client: `redis-cli -p 6380 SET k v`.

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(redraft_repo)"
target=$(redraft_target_dir)
CARGO_TARGET_DIR=$target cargo build --release -p redraft-node --bin redraft
bin=${REDRAFT_BIN:-$(redraft_bin_dir)/redraft}

peers="1=127.0.0.1:7379,2=127.0.0.1:7380,3=127.0.0.1:7381"
pids=()
stop() {
    for pid in "${pids[@]}"; do
        redraft_stop_pid "$pid"
    done
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for id in 1 2 3; do
    mkdir -p "data/node$id"
    "$bin" --node-id "$id" --port "$((6378 + id))" --raft-port "$((7378 + id))" \
        --peers "$peers" --dir "data/node$id" "$@" >>"data/node$id.log" 2>&1 &
    pids+=("$!")
done
for id in 1 2 3; do
    if ! redraft_wait_port "$((6378 + id))" 30 "${pids[$((id - 1))]}"; then
        echo "node $id did not start; its log:" >&2
        tail -n 20 "data/node$id.log" >&2
        exit 1
    fi
done
echo "redraft cluster: nodes on 127.0.0.1:6379, :6380, :6381 (logs in data/node*.log); Ctrl-C stops it"
wait -n "${pids[@]}" || true
echo "a node exited; stopping the cluster" >&2
