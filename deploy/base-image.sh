#!/bin/sh
# The nginx image's base, made here because nothing can be pulled from a registry: Debian
# bookworm (debootstrap minbase from Debian's package registry) with nginx, openssl (the
# self-signed stand-in certificate), gettext-base (envsubst) and wget (the health check).
# Cached as a tarball under target/deploy/cache, imported when the engine lacks the image.
#   deploy/base-image.sh            prints the image name
set -eu
. "$(dirname "$0")/podman.sh"
BASE_IMAGE=localhost/openslot-nginx-base:bookworm
tarball=$work_dir/cache/openslot-nginx-base-bookworm.tar
if engine image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    echo "$BASE_IMAGE"
    exit 0
fi
if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || { echo "base-image: debootstrap is missing" >&2; exit 1; }
    rootfs=$work_dir/rootfs-nginx
    rm -rf "$rootfs"
    mkdir -p "$work_dir/cache"
    start=$(date +%s)
    debootstrap --variant=minbase --include=nginx,openssl,gettext-base,wget,ca-certificates \
        bookworm "$rootfs" http://deb.debian.org/debian >"$work_dir/debootstrap.log" 2>&1 \
        || { tail -20 "$work_dir/debootstrap.log" >&2; exit 1; }
    # Nothing the image does not need: package caches, documentation, Debian's default site.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/locale \
        "$rootfs"/etc/nginx/sites-enabled/* "$rootfs"/var/log/*.log
    tar -C "$rootfs" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    echo "base-image: debootstrap took $(( $(date +%s) - start )) s" >&2
fi
engine import "$tarball" "$BASE_IMAGE" >/dev/null 2>"$work_dir/import.log" || { cat "$work_dir/import.log" >&2; exit 1; }
echo "$BASE_IMAGE"
