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

# glibc, libgcc_s, libm... exactly what the binary loads, at the paths it looks for them.
ldd "$bin" | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | while read -r lib; do
    mkdir -p "$out/rootfs$(dirname "$lib")"
    cp -L "$lib" "$out/rootfs$lib"
done
# The loader's usual path (/lib64 is a link on Debian: the file itself is copied).
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
