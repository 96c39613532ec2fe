#!/bin/sh
# The build context of Dockerfile.prebuilt, from what `make test` already built (nothing is
# compiled here): target/image/
#   rootfs/   the release binary, the shared libraries it loads (ldd) and their loader, CA
#             certificates, /etc/passwd with the service user, the booking page
#   data/     the empty data directory (owned by 65532 in the image)
#   nginx/    the nginx config templates, entrypoint scripts and the booking page for the web image
#   usage: deploy/stage-image.sh [BINARY] [SPA_DIST]
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$repo/target/release/openslot}
dist=${2:-$repo/frontend/dist}
out=$repo/target/image
[ -x "$bin" ] || { echo "stage-image: no $bin (cargo build --release first)" >&2; exit 1; }
[ -f "$dist/index.html" ] || { echo "stage-image: no $dist/index.html (make spa first)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/rootfs/usr/local/bin" "$out/rootfs/etc/ssl/certs" "$out/rootfs/tmp" "$out/data" \
    "$out/nginx"
cp "$bin" "$out/rootfs/usr/local/bin/openslot"

# glibc, libgcc_s, libm... exactly what the binary loads (its NEEDED entries and its loader), in
# Debian's multiarch folder, where that loader looks by default. An arm64 binary takes them from
# Debian's cross libraries (libc6-arm64-cross, libgcc-s1-arm64-cross).
case $(file -b "$bin") in
    *x86-64*) multiarch=x86_64-linux-gnu from=/lib/x86_64-linux-gnu ;;
    *aarch64*) multiarch=aarch64-linux-gnu from=/usr/aarch64-linux-gnu/lib ;;
    *) echo "stage-image: $bin: unknown architecture" >&2; exit 1 ;;
esac
interp=$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
mkdir -p "$out/rootfs$(dirname "$interp")" "$out/rootfs/lib/$multiarch"
cp -L "$from/$(basename "$interp")" "$out/rootfs$interp"
for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [ -f "$from/$lib" ] || { echo "stage-image: $lib not in $from" >&2; exit 1; }
    if [ "$lib" = "$(basename "$interp")" ]; then # the loader by its name: a link, not a copy
        [ "$interp" = "/lib/$multiarch/$lib" ] || ln -s "$interp" "$out/rootfs/lib/$multiarch/$lib"
    else
        cp -L "$from/$lib" "$out/rootfs/lib/$multiarch/$lib"
    fi
done
echo "$multiarch" >"$out/arch"
# The release binary has no symbols ([profile.release] strip); the test suite's debug build, which
# `make test` puts into the images (nothing is compiled twice), loses its debug sections here.
# Whether the binary was a debug build is kept for image.sh's size budget.
if readelf -S "$bin" | grep -q '\.debug_info'; then echo debug; else echo release; fi >"$out/build"
case $multiarch in
    x86_64-linux-gnu) strip_tool=strip ;;
    aarch64-linux-gnu) strip_tool=aarch64-linux-gnu-strip ;;
esac
"$strip_tool" --strip-all "$out/rootfs/usr/local/bin/openslot"
cp /etc/ssl/certs/ca-certificates.crt "$out/rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nopenslot:x:65532:65532:OpenSlot:/var/lib/openslot:/sbin/nologin\n' \
    >"$out/rootfs/etc/passwd"
printf 'root:x:0:\nopenslot:x:65532:\n' >"$out/rootfs/etc/group"
chmod 1777 "$out/rootfs/tmp"

# The booking page as nginx and the service's dashboard serve it (prepare-dist.sh on a copy:
# frontend/dist itself stays as trunk wrote it).
# The service does not serve the .gz twins (nginx's gzip_static does): not in its image.
cp -r "$dist" "$out/nginx/spa"
"$repo/nginx/prepare-dist.sh" "$out/nginx/spa"
mkdir -p "$out/rootfs/usr/share"
cp -r "$out/nginx/spa" "$out/rootfs/usr/share/openslot"
find "$out/rootfs/usr/share/openslot" -name '*.gz' -delete
cp -r "$repo/nginx/templates" "$repo/nginx/docker-entrypoint.d" "$out/nginx/"
cp "$repo/deploy/nginx/nginx.conf" "$repo/deploy/nginx/entrypoint.sh" "$out/nginx/"
cp "$repo/Dockerfile.prebuilt" "$out/Dockerfile"
echo "stage-image: $(du -sh "$out/rootfs" | cut -f1) in target/image/rootfs"
