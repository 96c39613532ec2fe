#!/bin/bash
# `make deb-test` (part of `make test`): the .deb `make deb` built, checked for real.
#   1. its files, conffile and the unit's hardening (dpkg-deb),
#   2. `systemd-analyze verify` accepts the unit (and rejects a broken copy of it),
#   3. `dpkg -i` into Debian bookworm (the locally made base image, a container without network):
#      the binary runs, the conffile passes check-config, remove keeps it, purge removes it.
#   usage: deploy/deb-test.sh AMD64_DEB [ARM64_DEB]
set -euo pipefail
. "$(dirname "$0")/podman.sh"
deb=${1:?usage: deb-test.sh AMD64_DEB [ARM64_DEB]}
arm_deb=${2:-}
fail() { echo "deb-test: FAILED: $*" >&2; exit 1; }
tmp=$(mktemp -d "$work_dir/deb-test.XXXXXX")
made_base=0
engine image inspect localhost/openslot-nginx-base:bookworm >/dev/null 2>&1 || made_base=1
cleanup() {
    local rc=$?
    rm -rf "$tmp"
    [ $made_base = 0 ] || engine rmi -f localhost/openslot-nginx-base:bookworm >/dev/null 2>&1 || true
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check_package() { # DEB ARCH
    local deb=$1 arch=$2 contents
    [ -f "$deb" ] || fail "no $deb"
    [ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "$deb is not $arch"
    contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
    for f in ./usr/bin/openslot ./etc/openslot/openslot.toml ./lib/systemd/system/openslot.service \
        ./usr/share/openslot/index.html; do
        grep -qx "$f" <<<"$contents" || fail "$deb lacks $f"
    done
    dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/openslot/openslot.toml \
        || fail "$deb: openslot.toml is not a conffile"
    rm -rf "$tmp/root" && mkdir "$tmp/root"
    dpkg-deb -x "$deb" "$tmp/root"
    local unit=$tmp/root/lib/systemd/system/openslot.service
    for line in ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes CapabilityBoundingSet= \
        StateDirectory=openslot; do
        grep -qx "$line" "$unit" || fail "the unit lacks $line"
    done
    grep -Eqx 'DynamicUser=yes|User=.+' "$unit" || fail "the unit runs as root"
    echo "deb-test: $(basename "$deb"): $(du -k "$deb" | cut -f1) KB, files, conffile and unit hardening ok"
}
check_package "$deb" amd64
[ -z "$arm_deb" ] || check_package "$arm_deb" arm64

# ---- systemd-analyze verify, in the extracted package (its ExecStart binary exists there) ----
# with this machine's systemd units beside it (sysinit.target, network-online.target...).
rm -rf "$tmp/root" && mkdir "$tmp/root" && dpkg-deb -x "$deb" "$tmp/root"
[ -d /lib/systemd/system ] && command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing"
cp -an /lib/systemd/system/. "$tmp/root/lib/systemd/system/"
unit=$tmp/root/lib/systemd/system/openslot.service
verify() { # UNIT: fails on any error or warning
    local out
    out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --root="$tmp/root" --man=no "$1" 2>&1) || { echo "$out"; return 1; }
    [ -z "$out" ] || { echo "$out"; return 1; }
}
verify "$unit" || fail "systemd-analyze verify rejects the unit"
broken=$tmp/root/lib/systemd/system/openslot-broken.service
# The check can fail: a bad value, and a binary that is not there.
sed 's/^ProtectSystem=strict/ProtectSystem=sometimes/' "$unit" >"$broken"
if verify "$broken" >/dev/null; then fail "systemd-analyze verify accepts ProtectSystem=sometimes"; fi
sed 's|^ExecStart=/usr/bin/openslot|ExecStart=/usr/bin/openslot-absent|' "$unit" >"$broken"
if verify "$broken" >/dev/null; then fail "systemd-analyze verify accepts a missing ExecStart binary"; fi
rm "$broken"
exposure=$(systemd-analyze security --offline=true --root="$tmp/root" "$unit" 2>/dev/null | awk '/Overall exposure level/ {print $(NF-2), $(NF-1)}' || true)
echo "deb-test: systemd-analyze verify accepts the unit (offline exposure level ${exposure:-n/a})"

# ---- dpkg -i into Debian bookworm -------------------------------------------------------------
base=$("$deploy_dir/base-image.sh")
cp "$deb" "$tmp/openslot.deb"
engine run --rm --network none -v "$tmp/openslot.deb:/tmp/openslot.deb:ro" "$base" sh -euc '
    dpkg -i /tmp/openslot.deb >/dev/null
    /usr/bin/openslot --version
    dpkg-query -W -f="\${Conffiles}\n" openslot | grep -q "/etc/openslot/openslot.toml"
    /usr/bin/openslot check-config --config /etc/openslot/openslot.toml >/dev/null
    test -f /usr/share/openslot/index.html
    test -f /lib/systemd/system/openslot.service
    echo "# an owner change" >> /etc/openslot/openslot.toml
    dpkg -r openslot >/dev/null
    test ! -e /usr/bin/openslot
    grep -q "an owner change" /etc/openslot/openslot.toml   # remove keeps the conffile
    dpkg -P openslot >/dev/null
    test ! -e /etc/openslot/openslot.toml                   # purge removes it
' >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "dpkg -i / -r / -P in Debian bookworm"; }
echo "deb-test: installed in Debian bookworm: $(head -1 "$tmp/install.log"); remove kept the conffile, purge removed it"
echo "deb-test: PASSED"
