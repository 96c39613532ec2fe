# syntax=docker/dockerfile:1.7
# OpenSlot: two images from one build.
#   runtime (default)  the service: the binary and the booking page on distroless/cc, non-root
#   web                nginx with the shipped config (nginx/) and the same booking page
# This file builds from source (for an owner with Docker). Dockerfile.prebuilt builds the same two
# images from binaries already built, without pulling anything (`make image`, `make compose-test`).
# The build stage runs `make dist`, the same target CI runs: pinned trunk, wasm-bindgen-cli and
# npm binaryen (Makefile `tools`), then the SPA and the release binary.
#
#   docker build -t openslot .                    (or: docker compose build)
#   docker buildx build --platform linux/arm64 -t openslot:arm64 .      (Raspberry Pi 4/5)
# For another platform the build stage still runs natively (--platform=$BUILDPLATFORM) and
# cross-compiles the binary with Debian's aarch64 gcc: no QEMU-emulated compiler.

ARG RUST_VERSION=1.95

FROM --platform=$BUILDPLATFORM rust:${RUST_VERSION}-bookworm AS build
ARG TARGETARCH
# node + npm: binaryen's wasm-opt (Debian's writes broken wasm) and the frontend's npm tools.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && if [ "$TARGETARCH" = arm64 ] && [ "$(dpkg --print-architecture)" != arm64 ]; then \
      apt-get install -y --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross; \
    fi \
 && rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown \
 && if [ "$TARGETARCH" = arm64 ]; then rustup target add aarch64-unknown-linux-gnu; fi
ENV CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
    AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
WORKDIR /src
# The pinned tools first, in their own layer: about 15 minutes once, then cached.
COPY Makefile Cargo.toml Cargo.lock ./
COPY frontend/package.json frontend/package-lock.json frontend/
RUN make tools
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    target=; [ "$TARGETARCH" = arm64 ] && [ "$(uname -m)" != aarch64 ] && target=aarch64-unknown-linux-gnu; \
    make dist TARGET=$target \
 && mkdir -p /out/data \
 && cp "target/${target:+$target/}release/openslot" /out/openslot

# ---- the service --------------------------------------------------------------------------
# distroless/cc: glibc (as the build stage: Debian 12), libgcc, CA certificates, tzdata, a
# `nonroot` user (65532); no shell, no package manager. The health check is the binary itself.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=build /out/openslot /usr/local/bin/openslot
COPY --from=build /src/frontend/dist/ /usr/share/openslot/
# The data directory belongs to the service user; a named volume mounted here starts as a copy.
COPY --from=build --chown=65532:65532 /out/data /var/lib/openslot
ENV OPENSLOT_LOG_FORMAT=json
USER 65532:65532
VOLUME ["/var/lib/openslot"]
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/openslot", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/openslot"]
# The configuration is mounted (docker-compose.yml: examples/docker/openslot.toml); secrets
# come from files under /run/secrets through its *_file keys.
CMD ["serve", "--config", "/etc/openslot/openslot.toml"]

# ---- nginx in front -----------------------------------------------------------------------
FROM nginx:1.28-alpine AS web
# openssl: the self-signed stand-in certificate until certbot has a real one.
RUN apk add --no-cache openssl
COPY nginx/templates/ /etc/nginx/templates/
COPY nginx/docker-entrypoint.d/ /docker-entrypoint.d/
COPY --from=build /src/frontend/dist/ /usr/share/openslot/
ENV NGINX_HTTP_LISTEN=80 \
    NGINX_HTTPS_LISTEN=443 \
    OPENSLOT_UPSTREAM=openslot:8080 \
    NGINX_STATIC_ROOT=/usr/share/openslot \
    NGINX_TLS_DIR=/etc/nginx/tls \
    NGINX_ACME_ROOT=/var/www/certbot \
    NGINX_RESOLVER=127.0.0.11
