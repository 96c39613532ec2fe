#!/bin/sh
# `make image`: localhost/openslot:latest and localhost/openslot-nginx:latest from the artifacts
# `make test` built (deploy/stage-image.sh), with podman (or docker where that is the engine).
# No layer cache is kept (--layers=false): the only cache is the base tarball under target/.
set -eu
. "$(dirname "$0")/podman.sh"
"$deploy_dir/stage-image.sh" "$@"
base=$("$deploy_dir/base-image.sh")
ctx=$repo_dir/target/image
# shellcheck disable=SC2086 # build_flags is a list of flags
engine build $build_flags --quiet --target runtime -t localhost/openslot:latest "$ctx" >/dev/null
# shellcheck disable=SC2086
engine build $build_flags --quiet --target web --build-arg NGINX_BASE="$base" \
    -t localhost/openslot-nginx:latest "$ctx" >/dev/null
for image in localhost/openslot:latest localhost/openslot-nginx:latest; do
    size=$(engine image inspect --format '{{.Size}}' "$image")
    echo "image: $image $size bytes ($((size / 1000000)) MB)"
done
