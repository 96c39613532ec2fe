#!/bin/bash
# `make arm64-test` (part of `make test`): the cross-compiled arm64 binary, run under
# qemu-aarch64-static with Debian's arm64 libraries (libc6-arm64-cross):
#   --version; check-config on examples/openslot.toml; `busy` on a corpus file (the same answer
#   as the x86_64 binary's); `serve` answering /healthz on 127.0.0.1.
#   usage: deploy/arm64-test.sh ARM64_BINARY X86_64_BINARY
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
arm=${1:?usage: arm64-test.sh ARM64_BINARY X86_64_BINARY}
native=${2:?usage: arm64-test.sh ARM64_BINARY X86_64_BINARY}
fail() { echo "arm64-test: FAILED: $*" >&2; exit 1; }
command -v qemu-aarch64-static >/dev/null || fail "qemu-aarch64-static is missing (apt-get install qemu-user-static)"
[ -d /usr/aarch64-linux-gnu/lib ] || fail "/usr/aarch64-linux-gnu is missing (apt-get install libc6-arm64-cross)"
file -b "$arm" | grep -q 'ARM aarch64' || fail "$arm is not an arm64 binary"
corpus=$repo/../shared/corpus/real/khal/cal_lots_of_timezones.ics
[ -f "$corpus" ] || fail "the corpus file $corpus is missing"
q() { qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm" "$@"; }
. "$repo/deploy/podman.sh"
tmp=$(mktemp -d)
pid=
made=0
cleanup() {
    local rc=$?
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
    [ $made = 0 ] || engine rmi -f localhost/openslot:arm64 >/dev/null 2>&1
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version=$(q --version) || fail "--version"
[ "$version" = "$("$native" --version)" ] || fail "--version: $version"
echo "arm64-test: --version: $version"
q check-config --config "$repo/examples/openslot.toml" >/dev/null || fail "check-config on examples/openslot.toml"
echo "arm64-test: check-config examples/openslot.toml: ok"
args=(busy --ics "$corpus" --from 2014-01-01T00:00:00Z --to 2016-01-01T00:00:00Z --tz Europe/Berlin --json)
q "${args[@]}" >"$tmp/arm.json" || fail "busy"
"$native" "${args[@]}" >"$tmp/native.json"
[ -s "$tmp/arm.json" ] && cmp -s "$tmp/arm.json" "$tmp/native.json" \
    || fail "busy on $(basename "$corpus"): arm64 and x86_64 disagree"
echo "arm64-test: busy on $(basename "$corpus"): $(wc -c <"$tmp/arm.json") bytes, the same as x86_64's"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OPENSLOT_SERVER__LISTEN=127.0.0.1:$port OPENSLOT_SERVER__ADMIN_LISTEN=127.0.0.1:$admin \
    OPENSLOT_SERVER__DATA_DIR="$tmp/data" OPENSLOT_SERVER__PUBLIC_URL=http://127.0.0.1:$port \
    qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm" serve --config "$repo/examples/openslot.toml" \
    >"$tmp/serve.log" 2>&1 &
pid=$!
start=$(date +%s%N)
until body=$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null); do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; fail "serve ended"; }
    [ $(( ($(date +%s%N) - start) / 1000000000 )) -lt 60 ] || { cat "$tmp/serve.log" >&2; fail "no /healthz in 60 s"; }
    sleep 0.2
done
echo "arm64-test: serve under qemu answered /healthz after $(( ($(date +%s%N) - start) / 1000000 )) ms: $body"
"$native" healthcheck --url "http://127.0.0.1:$port/healthz" || fail "openslot healthcheck against the arm64 service"

# ---- the arm64 service image (make image-arm64): its own files run the binary ------------------
engine image inspect localhost/openslot:arm64 >/dev/null 2>&1 || made=1
"$repo/deploy/image.sh" "$arm" >/dev/null
[ "$(engine image inspect --format '{{.Architecture}}' localhost/openslot:arm64)" = arm64 ] \
    || fail "localhost/openslot:arm64 is not an arm64 image"
size=$(engine image inspect --format '{{.Size}}' localhost/openslot:arm64)
cid=$(engine create localhost/openslot:arm64 2>"$tmp/create.log") || { cat "$tmp/create.log" >&2; fail "podman create"; }
mkdir "$tmp/image"
engine export "$cid" | tar -C "$tmp/image" -x
engine rm -v "$cid" >/dev/null 2>&1 # and the anonymous volume of VOLUME /var/lib/openslot
image_version=$(qemu-aarch64-static -L "$tmp/image" "$tmp/image/usr/local/bin/openslot" --version) \
    || fail "the binary in localhost/openslot:arm64 does not run with the image's own libraries"
[ "$image_version" = "$version" ] || fail "in the image: $image_version"
echo "arm64-test: localhost/openslot:arm64 ($size bytes): its binary runs with the image's own libraries"
echo "arm64-test: PASSED"
