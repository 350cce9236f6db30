#!/usr/bin/env bash
# Builds the redraft container image from binaries already built on this machine:
#
#   deploy/image.sh [BIN_DIR] [TAG]
#
# BIN_DIR holds the release `redraft` and `redraft-cli` (default: the project's release
# directory, scripts/lib.sh redraft_bin_dir); TAG defaults to $REDRAFT_IMAGE or
# redraft:latest. The binaries must be static (the project's .cargo/config.toml makes them
# so): the image is FROM scratch and pulls nothing. Their debug info is stripped in the copy
# (symbols stay, so a panic's backtrace still names functions). Prints the image size.

set -euo pipefail

deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$deploy/../scripts/lib.sh"

bin_dir=${1:-$(redraft_bin_dir)}
tag=${2:-${REDRAFT_IMAGE:-redraft:latest}}

stage=$(mktemp -d "${TMPDIR:-/tmp}/redraft-image.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/bin"
for name in redraft redraft-cli; do
    if [[ ! -x "$bin_dir/$name" ]]; then
        echo "image.sh: $bin_dir/$name not found: build first (cargo build --release --workspace)" >&2
        exit 1
    fi
    # A dynamic executable names its loader (PT_INTERP); in an empty image it could not start.
    if readelf -l "$bin_dir/$name" 2>/dev/null | grep -q 'Requesting program interpreter'; then
        echo "image.sh: $bin_dir/$name is dynamically linked; build with the project's" \
            ".cargo/config.toml (static, target $REDRAFT_TRIPLE)" >&2
        exit 1
    fi
    cp "$bin_dir/$name" "$stage/bin/$name"
    if command -v strip >/dev/null; then
        strip --strip-debug "$stage/bin/$name"
    fi
done
# The guide's `docker exec ... redis-cli -a ... PING` works verbatim: redraft-cli answers to
# that name (it calls itself by the name it was run as).
ln -s redraft-cli "$stage/bin/redis-cli"
cp "$deploy/Dockerfile" "$stage/Dockerfile"

# The classic builder needs no buildx plugin (which Docker installs without the engine); its
# deprecation notice is shown only when the build fails.
if ! DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0} docker build --quiet --tag "$tag" "$stage" \
    >"$stage/build.log" 2>&1; then
    cat "$stage/build.log" >&2
    echo "image.sh: docker build failed" >&2
    exit 1
fi
size=$(docker image inspect --format '{{.Size}}' "$tag")
echo "image $tag built: $((size / 1024 / 1024)) MiB ($size bytes)"
