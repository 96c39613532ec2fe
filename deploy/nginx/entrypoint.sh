#!/bin/sh
# The web image's entrypoint (Dockerfile.prebuilt, Debian's nginx): what the official nginx
# image's entrypoint does for this config. Each /etc/nginx/templates/*.template becomes
# /etc/nginx/conf.d/*.conf with only the variables set in the environment replaced (nginx's own
# $host, $uri... stay), then /docker-entrypoint.d/*.sh run (the TLS links), then nginx.
set -eu
if [ "${1:-}" = nginx ]; then
    defined=$(awk 'END { for (name in ENVIRON) if (name ~ /^[A-Z_][A-Z0-9_]*$/) printf "${%s} ", name }' </dev/null)
    for t in /etc/nginx/templates/*.template; do
        [ -f "$t" ] || continue
        out=/etc/nginx/conf.d/$(basename "$t" .template)
        envsubst "$defined" <"$t" >"$out"
    done
    for s in /docker-entrypoint.d/*.sh; do
        [ -x "$s" ] && "$s"
    done
fi
exec "$@"
