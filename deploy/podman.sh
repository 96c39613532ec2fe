#!/bin/sh
# Sourced by the deploy scripts: podman as it works on this machine (../shared/TOOLCHAIN.md
# section 8: cgroupfs, runc, explicit ulimits) through a containers.conf of our own, so that
# podman-compose and `podman healthcheck run` get the same settings. Docker is used instead
# where a Docker engine answers (`docker info`).
deploy_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(cd "$deploy_dir/.." && pwd)
work_dir=$repo_dir/target/deploy
mkdir -p "$work_dir"
if [ -z "${CONTAINER_ENGINE:-}" ]; then
    if command -v podman >/dev/null 2>&1; then
        CONTAINER_ENGINE=podman
    elif docker info >/dev/null 2>&1; then
        CONTAINER_ENGINE=docker
    else
        echo "deploy: neither podman nor a running Docker engine (make system-deps-deploy installs podman)" >&2
        exit 1
    fi
fi
if [ "$CONTAINER_ENGINE" = podman ]; then
    cat >"$work_dir/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
CONF
    CONTAINERS_CONF=$work_dir/containers.conf
    export CONTAINERS_CONF
    # HEALTHCHECK is a Docker-format instruction: OCI images drop it.
    build_flags="--format docker --layers=false"
else
    build_flags=""
fi
engine() { "$CONTAINER_ENGINE" "$@"; }
