#!/bin/sh
# The certificate nginx serves (in the `web` image; the nginx image runs /docker-entrypoint.d/*.sh
# before it starts nginx). nginx cannot start without one and certbot needs nginx running to
# answer HTTP-01, so until /etc/letsencrypt/live/$OPENSLOT_DOMAIN exists a self-signed stand-in
# is served. $NGINX_TLS_DIR/{fullchain,privkey,chain}.pem are links to whichever is current.
#
#   (at start)  link, then re-link and reload nginx every 12 hours in the background
#   reload      link and reload now: `docker compose exec nginx /docker-entrypoint.d/40-openslot-tls.sh reload`
set -eu
: "${OPENSLOT_DOMAIN:?set OPENSLOT_DOMAIN}" "${NGINX_TLS_DIR:?}"
live=/etc/letsencrypt/live/$OPENSLOT_DOMAIN
own=$NGINX_TLS_DIR/self-signed

link() {
    if [ -s "$live/fullchain.pem" ] && [ -s "$live/privkey.pem" ]; then
        from=$live
    else
        from=$own
        if [ ! -s "$own/fullchain.pem" ]; then
            mkdir -p "$own"
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -days 3650 -subj "/CN=$OPENSLOT_DOMAIN" -addext "subjectAltName=DNS:$OPENSLOT_DOMAIN" \
                -keyout "$own/privkey.pem" -out "$own/fullchain.pem" 2>/dev/null
            cp "$own/fullchain.pem" "$own/chain.pem"
            echo "openslot-tls: no certificate for $OPENSLOT_DOMAIN yet: serving a self-signed one"
        fi
    fi
    for f in fullchain.pem privkey.pem chain.pem; do
        ln -sfn "$from/$f" "$NGINX_TLS_DIR/$f"
    done
}

mkdir -p "$NGINX_TLS_DIR"
link
if [ "${1:-}" = reload ]; then
    nginx -s reload
else
    # certbot renews in its own container; nginx picks the new files up at the next reload.
    (while sleep 43200; do link && nginx -s reload; done) &
fi
