#!/usr/bin/env bash
# Load test of GET /api/v1/slots on the heavy bench set (../shared/bench: 3 calendars, 5,753
# events), the service's clock pinned to the data's start. Two runs of wrk: the same question
# every time, and a different one every time (slots_varied.lua: window start, length and zone).
#
#   backend/benches/load/slots_load.sh [BINARY]      (default target/release/openslot)
#   CONNECTIONS=8 DURATION=10s ...
# Needs wrk (apt) and python3; prints wrk's report per run. Not part of `make test`: speed is
# measured, never asserted.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${1:-$root/target/release/openslot}
shared=$root/../shared/bench
conns=${CONNECTIONS:-8}
duration=${DURATION:-10s}
[ -d "$shared" ] || { echo "SKIPPED: $shared is absent (the shared bench data)"; exit 0; }
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 1; }
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release -p openslot"; exit 1; }

dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
python3 "$shared/gen/gen_calendars.py" "$dir/heavy" --profile heavy --seed 42 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/openslot.toml" <<TOML
[owner]
name = "Bench"
email = "bench@example.org"
timezone = "Europe/Berlin"
[server]
listen = "127.0.0.1:$port"
admin_listen = "127.0.0.1:$admin"
data_dir = "$dir/data"
[security]
captcha = false
rate_limit_per_minute = 0
[availability]
horizon_days = 60
min_notice_minutes = 120
$(for i in 1 2 3; do printf '[[sources]]\nid = "cal%s"\nkind = "ics"\nurl = "file://heavy/cal%s.ics"\n' $i $i; done)
[[event_types]]
slug = "intro"
title = "Intro call"
duration_minutes = 30
TOML
OPENSLOT_CLOCK_START=2025-06-01T12:00:00Z OPENSLOT_LOG=warn \
  "$bin" serve --config "$dir/openslot.toml" >"$dir/service.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
same="$base/api/v1/slots?event_type=intro&from=2025-06-02&to=2025-07-31&tz=Europe/Berlin"
echo "slots of the same question: $(curl -sf "$same" | python3 -c 'import json,sys; print(sum(len(d["slots"]) for d in json.load(sys.stdin)["days"]))' 2>/dev/null || echo '?') slots"
wrk -t2 -c"$conns" -d10s --latency "$same" >/dev/null  # warm-up
echo "== the same question every time (c=$conns)"
wrk -t2 -c"$conns" -d"$duration" --latency "$same"
echo "== a different question every time (c=$conns)"
START=2025-06-02 EVENT_TYPE=intro wrk -t2 -c"$conns" -d"$duration" --latency -s "$(dirname "$0")/slots_varied.lua" "$base"
echo "CPU seconds of the service (utime+stime): $(awk '{print ($14+$15)/100}' /proc/$pid/stat)"
