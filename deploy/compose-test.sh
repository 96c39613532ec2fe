#!/bin/bash
# `make compose-test` (part of `make test`): docker-compose.yml run for real with the images
# `make image` builds from what `make test` already built, through podman-compose (PyPI) where
# `docker compose` is absent. It
#   1. builds the images (deploy/image.sh; the nginx base comes from target/deploy/cache),
#   2. starts the stack (project openslot-ci, nginx on 127.0.0.1 ports only) with a copy of the
#      compose file, examples/docker/openslot.toml and secrets made here,
#   3. waits for both health checks, installs a certificate of a local CA the way certbot would
#      (files in the certbot-conf volume, then the reload) and checks nginx's HTTPS against it,
#      serves an ACME HTTP-01 token from the certbot-www volume (certbot's webroot path),
#   4. books through nginx over HTTPS, restarts the openslot container, finds the booking again
#      (the named volume), checks that only nginx publishes ports and that /admin and /metrics
#      are 404 through it,
#   5. removes every container, volume, network and image it made (also when it fails: trap).
set -euo pipefail
. "$(dirname "$0")/podman.sh"
project=openslot-ci
domain=book.test
dir=$work_dir/compose
bin=${OPENSLOT_BIN:-$repo_dir/target/release/openslot}
step_start=$(date +%s)
step() { local now; now=$(date +%s); echo "compose-test: [$((now - step_start)) s] $*"; }
fail() { echo "compose-test: FAILED: $*" >&2; exit 1; }

if [ "$CONTAINER_ENGINE" = podman ]; then
    compose_bin=${PODMAN_COMPOSE:-$repo_dir/target/compose-venv/bin/podman-compose}
    [ -x "$compose_bin" ] || fail "podman-compose is missing ($compose_bin: make compose-deps)"
    compose() { "$compose_bin" --in-pod false -p "$project" -f "$dir/docker-compose.yml" \
        -f "$dir/compose-test.override.yml" --env-file "$dir/.env" "$@"; }
    container() { echo "${project}_$1_1"; }
else
    compose() { docker compose -p "$project" -f "$dir/docker-compose.yml" \
        -f "$dir/compose-test.override.yml" --env-file "$dir/.env" "$@"; }
    container() { echo "${project}-$1-1"; }
fi

# What existed before: only what this run makes is removed.
images=(localhost/openslot:latest localhost/openslot-nginx:latest localhost/openslot-nginx-base:bookworm)
made_images=()
for image in "${images[@]}"; do
    engine image inspect "$image" >/dev/null 2>&1 || made_images+=("$image")
done
cleanup() {
    local rc=$?
    set +e
    if [ $rc != 0 ] && [ -f "$dir/docker-compose.yml" ]; then
        for s in openslot nginx; do
            echo "---- $(container "$s") log (last 30 lines)" >&2
            engine logs --tail 30 "$(container "$s")" >&2 2>&1
        done
    fi
    [ -f "$dir/docker-compose.yml" ] && compose down -v -t 3 >/dev/null 2>&1
    # Whatever the compose tool left: containers, volumes and the network of the project.
    engine ps -aq --filter "label=com.docker.compose.project=$project" | xargs -r "$CONTAINER_ENGINE" rm -f >/dev/null 2>&1
    engine ps -aq --filter "label=io.podman.compose.project=$project" | xargs -r "$CONTAINER_ENGINE" rm -f >/dev/null 2>&1
    engine volume ls -q | grep "^${project}_" | xargs -r "$CONTAINER_ENGINE" volume rm -f >/dev/null 2>&1
    engine network ls --format '{{.Name}}' | grep "^${project}_" | xargs -r "$CONTAINER_ENGINE" network rm -f >/dev/null 2>&1
    for image in "${made_images[@]}"; do
        engine rmi -f "$image" >/dev/null 2>&1
    done
    engine image prune -f >/dev/null 2>&1 # the untagged images a rebuild replaced
    rm -rf "$dir"
    step "cleaned up (exit $rc)"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v curl >/dev/null || fail "curl is missing"
command -v openssl >/dev/null || fail "openssl is missing"
[ -x "$bin" ] || fail "no $bin: make unit (the test suite) or make release builds it"

# ---- 1. the images -------------------------------------------------------------------------
"$deploy_dir/image.sh" "$bin" || fail "the images (deploy/image.sh)"
step "images built"

# ---- 2. the project: the repository's files, secrets and a local CA made here ---------------
rm -rf "$dir"
mkdir -p "$dir/examples/docker" "$dir/secrets" "$dir/tls"
cp "$repo_dir/docker-compose.yml" "$dir/"
cp "$repo_dir/examples/docker/openslot.toml" "$dir/examples/docker/"
cp -r "$repo_dir/examples/calendars" "$dir/examples/"
printf 'compose test password\n' | "$bin" hash-password >"$dir/secrets/admin_password_hash"
printf 'radicale-password' >"$dir/secrets/caldav_password"
: >"$dir/secrets/smtp_password"
: >"$dir/secrets/google_client_secret"
chmod 444 "$dir"/secrets/* # the service's uid 65532 reads them (an owner: chown 65532, chmod 400)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
https_port=$(free_port)
cat >"$dir/.env" <<ENV
OPENSLOT_DOMAIN=$domain
CERTBOT_EMAIL=owner@example.org
OPENSLOT_HTTP_PUBLISH=127.0.0.1:$http_port
OPENSLOT_HTTPS_PUBLISH=127.0.0.1:$https_port
ENV
# The test books without solving the proof-of-work captcha (the e2e tests cover it).
cat >"$dir/compose-test.override.yml" <<'YML'
services:
  openslot:
    environment:
      OPENSLOT_SECURITY__CAPTCHA: "false"
YML

ca=$dir/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=OpenSlot compose-test CA" -keyout "$ca/ca.key" -out "$ca/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$domain" \
    -keyout "$ca/privkey.pem" -out "$ca/site.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s\n' "$domain" >"$ca/ext"
openssl x509 -req -in "$ca/site.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
    -days 2 -extfile "$ca/ext" -out "$ca/cert.pem" 2>/dev/null
cat "$ca/cert.pem" "$ca/ca.pem" >"$ca/fullchain.pem"
cp "$ca/ca.pem" "$ca/chain.pem"

compose up -d --no-build >"$dir/up.log" 2>&1 || { cat "$dir/up.log" >&2; fail "compose up"; }
step "stack started"

# ---- 3. health checks, the certificate as certbot leaves it, the webroot -------------------
wait_healthy() {
    local name deadline
    name=$(container "$1")
    deadline=$(($(date +%s) + 60))
    # The engine's own health check (podman runs it on demand: no systemd timers here).
    until if [ "$CONTAINER_ENGINE" = podman ]; then engine healthcheck run "$name" >/dev/null 2>&1
          else [ "$(engine inspect --format '{{.State.Health.Status}}' "$name")" = healthy ]; fi; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "$name is not healthy after 60 s"
        sleep 1
    done
}
wait_healthy openslot
wait_healthy nginx
step "both health checks pass"

curl_https() { curl -sS --resolve "$domain:$https_port:127.0.0.1" --cacert "$ca/ca.pem" "$@"; }
# Until certbot has run, the stand-in is self-signed: not trusted by the local CA.
if curl_https -o /dev/null "https://$domain:$https_port/healthz" 2>/dev/null; then
    fail "the self-signed stand-in passed as the local CA's certificate"
fi
# What certbot writes (live/DOMAIN/*.pem in the certbot-conf volume) and what HTTP-01 asks of
# the webroot, written by a one-off container as the certbot service would; then the reload.
token=compose-test-$RANDOM$RANDOM
engine run --rm --network none \
    -v "${project}_certbot-conf:/etc/letsencrypt" -v "${project}_certbot-www:/var/www/certbot" \
    -v "$ca:/in:ro" localhost/openslot-nginx-base:bookworm sh -c "
        mkdir -p /etc/letsencrypt/live/$domain /var/www/certbot/.well-known/acme-challenge &&
        cp /in/fullchain.pem /in/privkey.pem /in/chain.pem /etc/letsencrypt/live/$domain/ &&
        printf '%s.key-authorization' $token > /var/www/certbot/.well-known/acme-challenge/$token" \
    || fail "writing into the certbot volumes"
engine exec "$(container nginx)" /docker-entrypoint.d/40-openslot-tls.sh reload >"$dir/reload.log" 2>&1 \
    || { cat "$dir/reload.log" >&2; fail "nginx reload with the new certificate"; }
sleep 1
curl_https -fo /dev/null "https://$domain:$https_port/healthz" \
    || fail "HTTPS with the local CA's certificate after the reload"
got=$(curl -sS -H "Host: $domain" "http://127.0.0.1:$http_port/.well-known/acme-challenge/$token")
[ "$got" = "$token.key-authorization" ] || fail "ACME webroot answered: $got"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $domain" "http://127.0.0.1:$http_port/book")
[ "$code" = 301 ] || fail "plain HTTP answered $code, not a redirect"
step "certificate installed as certbot would, webroot served"

# ---- 4. a booking through nginx, kept across a restart ---------------------------------------
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
from=$(date -u -d '+1 day' +%F)
to=$(date -u -d '+21 days' +%F)
slots=$(curl_https -f "https://$domain:$https_port/api/v1/slots?event_type=intro&from=$from&to=$to") \
    || fail "slots through nginx"
start=$(printf '%s' "$slots" | json 'd["slots"][0]["start"]') || fail "no slot: $slots"
booked=$(curl_https -f -H 'Content-Type: application/json' -d "{\"event_type\": \"intro\",
    \"start\": \"$start\", \"name\": \"Compose Test\", \"email\": \"compose@example.com\",
    \"timezone\": \"UTC\"}" "https://$domain:$https_port/api/v1/bookings") \
    || fail "booking through nginx"
id=$(printf '%s' "$booked" | json 'd["id"]')
token=$(printf '%s' "$booked" | json 'd["manage_token"]')
step "booked $start"

# (podman here says it cannot reach systemd for its health check timers: the test runs them.)
engine restart -t 5 "$(container openslot)" >"$dir/restart.log" 2>&1 \
    || { cat "$dir/restart.log" >&2; fail "restarting the openslot container"; }
wait_healthy openslot
got=$(curl_https -f "https://$domain:$https_port/api/v1/bookings/$id?token=$token") \
    || fail "the booking after the restart"
[ "$(printf '%s' "$got" | json 'd["status"]')" = confirmed ] || fail "after the restart: $got"
step "the booking is still there after a restart"

# Memory, for README "Deployment" (printed, not asserted): each container's processes' VmRSS.
rss_kb() { # CONTAINER: the sum over its main process and that process's children
    local pid kids
    pid=$(engine inspect --format '{{.State.Pid}}' "$1")
    kids=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    for p in $pid $kids; do awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null; done \
        | awk '{s += $1} END {print s + 0}'
}
echo "compose-test: RSS openslot $(rss_kb "$(container openslot)") kB, nginx (master and workers) $(rss_kb "$(container nginx)") kB"

# Only nginx publishes ports; the admin side is not reachable through it.
for s in openslot nginx; do
    ports=$(engine port "$(container "$s")" || true)
    if [ "$s" = nginx ]; then
        [ -n "$ports" ] || fail "nginx publishes nothing"
    else
        [ -z "$ports" ] || fail "$s publishes $ports"
    fi
done
for path in /admin /admin/api/bookings /metrics; do
    code=$(curl_https -o /dev/null -w '%{http_code}' "https://$domain:$https_port$path")
    [ "$code" = 404 ] || fail "$path through nginx answered $code"
done
step "only nginx publishes ports; /admin and /metrics are 404"
echo "compose-test: PASSED"
