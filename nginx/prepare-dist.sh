#!/bin/sh
# Makes a built booking page (trunk's dist folder) ready for nginx, in place; run by `make dist`.
#  1. trunk writes its start-up script inline in index.html, which the Content-Security-Policy
#     (`script-src 'self'`, no 'unsafe-inline') would block: it moves to start-<hash>.js, named
#     by its content like trunk's own files, so it is cached as long as they are.
#  2. Every text and wasm file gets a .gz twin (gzip -9) for nginx's gzip_static.
# Running it twice changes nothing. Needs only sh, perl, sha256sum and gzip (all in Debian's base).
set -eu
dist=${1:?usage: prepare-dist.sh DIST_DIR}
index=$dist/index.html
[ -f "$index" ] || { echo "prepare-dist: no $index (build the SPA first)" >&2; exit 1; }

# trunk --minify writes the attribute unquoted (`<script type=module>`): both are read.
if grep -Eq '<script type="?module"?>' "$index"; then
    tmp=$dist/.start.js.tmp
    perl -0777 -ne 'print $1 if m{<script type="?module"?>(.*?)</script>}s' "$index" >"$tmp"
    hash=$(sha256sum "$tmp" | cut -c1-16)
    mv "$tmp" "$dist/start-$hash.js"
    perl -0777 -i -pe "s{<script type=\"?module\"?>.*?</script>}{<script type=\"module\" src=\"/start-$hash.js\"></script>}s" "$index"
    if grep -Eq '<script type="?module"?>' "$index"; then
        echo "prepare-dist: more than one inline script in $index" >&2
        exit 1
    fi
fi

find "$dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.wasm' -o -name '*.css' \
    -o -name '*.svg' -o -name '*.json' -o -name '*.txt' \) -exec gzip -9 -k -n -f {} +
