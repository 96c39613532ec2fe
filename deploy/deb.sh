#!/bin/sh
# `make deb`: target/debian/openslot_VERSION_ARCH.deb from the release binary and the booking
# page `make test` built (nothing is compiled here), with dpkg-deb alone:
#   /usr/bin/openslot                         the binary
#   /etc/openslot/openslot.toml               a conffile (deploy/debian/openslot.toml)
#   /lib/systemd/system/openslot.service      hardened: DynamicUser, ProtectSystem=strict, ...
#   /usr/share/openslot/                      the booking page (server.static_dir)
#   /var/lib/openslot                         made by systemd (StateDirectory=), not shipped
#   usage: deploy/deb.sh ARCH BINARY [SPA_DIST]      ARCH: amd64 | arm64
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:?usage: deb.sh ARCH BINARY [SPA_DIST]}
bin=${2:?usage: deb.sh ARCH BINARY [SPA_DIST]}
dist=${3:-$repo/frontend/dist}
version=$(awk -F'"' '/^version = / {print $2; exit}' "$repo/Cargo.toml")
case $arch in
    amd64) machine='x86-64' objdump=objdump strip_tool=strip ;;
    arm64) machine='ARM aarch64' objdump=aarch64-linux-gnu-objdump strip_tool=aarch64-linux-gnu-strip ;;
    *) echo "deb: unknown architecture $arch" >&2; exit 1 ;;
esac
[ -x "$bin" ] || { echo "deb: no $bin" >&2; exit 1; }
file -b "$bin" | grep -q "$machine" || { echo "deb: $bin is not $machine: $(file -b "$bin")" >&2; exit 1; }
[ -f "$dist/index.html" ] || { echo "deb: no $dist/index.html (make spa first)" >&2; exit 1; }

root=$repo/target/debian/openslot_${version}_$arch
rm -rf "$root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/etc/openslot" "$root/lib/systemd/system" \
    "$root/usr/share/doc/openslot" "$root/usr/share/openslot"
install -m 0755 "$bin" "$root/usr/bin/openslot"
# A no-op for the release binary; the test suite's debug build (make test) loses its debug sections.
"$strip_tool" --strip-all "$root/usr/bin/openslot"
install -m 0644 "$repo/deploy/debian/openslot.toml" "$root/etc/openslot/openslot.toml"
install -m 0644 "$repo/deploy/debian/openslot.service" "$root/lib/systemd/system/openslot.service"
install -m 0644 "$repo/examples/openslot.toml" "$root/usr/share/doc/openslot/openslot.toml.example"
cp -r "$dist/." "$root/usr/share/openslot/"
find "$root/usr/share/openslot" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +

# The newest glibc symbol version the binary needs is the libc6 it depends on.
glibc=$($objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
size_kb=$(du -sk "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: openslot
Version: $version
Architecture: $arch
Maintainer: OpenSlot <openslot@example.org>
Depends: libc6 (>= $glibc), libgcc-s1
Section: web
Priority: optional
Installed-Size: $size_kb
Description: self-hosted calendar aggregator and booking page
 OpenSlot reads the owner's calendars (ICS, CalDAV, Google, Microsoft) and offers the free
 times on a booking page. The systemd unit openslot.service runs it with a dynamic user.
CONTROL
echo /etc/openslot/openslot.toml >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
# Not started here: edit /etc/openslot/openslot.toml first, then
# `systemctl enable --now openslot`.
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
    if systemctl is-enabled --quiet openslot 2>/dev/null; then
        systemctl try-restart openslot >/dev/null || true
    fi
fi
SCRIPT
cat >"$root/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl disable --now openslot >/dev/null 2>&1 || true
fi
SCRIPT
cat >"$root/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
fi
# The bookings stay on remove; purge deletes them.
if [ "$1" = purge ]; then
    rm -rf /var/lib/openslot /var/lib/private/openslot
fi
SCRIPT
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
deb=$repo/target/debian/openslot_${version}_$arch.deb
# xz -1: under a second per package instead of minutes with the default -6 on the busy VM (5.6 MB instead of 4.9 MB for amd64).
dpkg-deb --root-owner-group -Zxz -z1 --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "$deb"
