# OpenSlot: the two commands of the README, and their parts.
#   make run    OpenSlot serving the demo configuration (examples/), no account anywhere needed
#   make test   every test; installs what it needs first
SHELL := /bin/bash
CARGO ?= cargo
FROM  ?= $(shell date +%F)
TO    ?= $(shell date -d '+6 days' +%F)

.PHONY: run slots test setup wasm-target test-deps system-deps tools spa spa-size dist fmt lint unit frontend bench fuzz

# The booking page is built first (frontend/dist, served at / by the demo configuration).
run: spa
	$(CARGO) run --release --quiet -- check-config --config examples/openslot.toml
	$(CARGO) run --release --quiet -- serve --config examples/openslot.toml

# The free slots of the demo calendars for the next 7 days, without starting the service.
slots:
	$(CARGO) run --release --quiet -- slots --config examples/openslot.toml --from $(FROM) --to $(TO)

test: setup fmt lint frontend unit deploy-test

# Only what is missing is installed; a machine that has it all installs nothing.
setup: wasm-target
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@[ -d ../shared/corpus ] || echo "NOTE: ../shared/corpus is absent: the corpus tests will fail (make test needs every part)"
	@$(MAKE) --no-print-directory test-deps system-deps

# Real servers the tests start on 127.0.0.1 (Radicale, Xandikos, aiosmtpd), schemathesis
# (backend/tests/schemathesis.rs) and openapi-python-client (backend/tests/generated_client.rs),
# in a venv of their own; the tests find it at
# target/test-venv (or $$TEST_VENV).
TEST_VENV := target/test-venv
PY_TEST_DEPS := radicale==3.9.0 xandikos==0.4.10 aiosmtpd==1.4.6 schemathesis==4.32.5 pyyaml==6.0.4 \
  openapi-python-client==0.29.1
test-deps:
	@[ -x $(TEST_VENV)/bin/radicale ] && [ -x $(TEST_VENV)/bin/xandikos ] \
	  && [ -x $(TEST_VENV)/bin/schemathesis ] && [ -x $(TEST_VENV)/bin/openapi-python-client ] \
	  || { python3 -m venv $(TEST_VENV) && $(TEST_VENV)/bin/pip install -q $(PY_TEST_DEPS); }

fmt:
	$(CARGO) fmt --all --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Unit, property, corpus, CLI, fuzz-regression and end-to-end tests (the e2e tests need the
# SPA that `frontend` built, and Chromium from `system-deps`); the last line sums them up.
unit:
	@mkdir -p target
	set -o pipefail; { TESTS_REQUIRE_ALL=1 $(CARGO) test -p openslot --lib --bins --tests \
	  && $(CARGO) test -p openslot-frontend -p openslot-wire --lib; } 2>&1 | tee target/test-output.log
	@awk '/^test result:/ {p += $$4; f += $$6} END {printf "openslot: %d passed, %d failed\n", p, f}' target/test-output.log

# The booking page as it ships (trunk, release, wasm-opt), then its size budget.
frontend: spa
	@$(MAKE) --no-print-directory spa-size

# ---- The build: one source of truth for CI, `make run` and the Dockerfile -------------------
# Pinned tools (../shared/TOOLCHAIN.md): trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli
# equal to the wasm-bindgen of Cargo.lock (frontend/Cargo.toml pins it), wasm-opt from npm
# `binaryen` (Debian's writes broken wasm). Each is installed only when missing: about 15 minutes
# on a fresh machine for the two cargo installs, which run side by side.
TRUNK_VERSION := 0.21.14
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/"/, "", $$3); print $$3; exit}' Cargo.lock)
NPM_BIN := $(CURDIR)/frontend/node_modules/.bin
# The booking page is wasm: `make run` needs the target as much as `make test` does.
wasm-target:
	@rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

tools: wasm-target
	@need_trunk=1; need_wbg=1; \
	trunk --version 2>/dev/null | grep -qx 'trunk $(TRUNK_VERSION)' && need_trunk=0; \
	wasm-bindgen --version 2>/dev/null | grep -q '^wasm-bindgen $(WASM_BINDGEN_VERSION)' && need_wbg=0; \
	[ $$need_trunk = 0 ] || $(CARGO) install trunk --version $(TRUNK_VERSION) --locked & \
	[ $$need_wbg = 0 ] || $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) & \
	wait; \
	trunk --version | grep -qx 'trunk $(TRUNK_VERSION)' \
	  && wasm-bindgen --version | grep -q '^wasm-bindgen $(WASM_BINDGEN_VERSION)' \
	  || { echo "trunk $(TRUNK_VERSION) and wasm-bindgen $(WASM_BINDGEN_VERSION) are needed in PATH"; exit 1; }
	@[ -x $(NPM_BIN)/wasm-opt ] && [ -d frontend/node_modules/playwright-core ] && [ -x $(NPM_BIN)/redocly ] \
	  || (cd frontend && npm ci --no-audit --no-fund --loglevel=error)

# Debian's chromium (the end-to-end tests) and nginx (the deployment tests); root or sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Cyrus IMAP's CalDAV (a scheduling server, backend/tests/caldav/scheduling.rs) and Apache with
# mod_auth_digest (the Digest test) are started by the tests on 127.0.0.1; the packages' own
# services are not used.
system-deps:
	@command -v chromium >/dev/null && command -v nginx >/dev/null \
	  || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium nginx; }
	@[ -x /usr/lib/cyrus/bin/httpd ] && [ -x /usr/sbin/saslpasswd2 ] && [ -x /usr/sbin/apache2 ] \
	  || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	       cyrus-imapd cyrus-caldav sasl2-bin apache2; }
	@[ -f /usr/share/davical/htdocs/caldav.php ] && [ -x /usr/bin/php ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	       davical php-cli php-pgsql php-xml php-cgi postgresql; }

# frontend/dist: the SPA exactly as it ships. `cargo fetch` first because trunk runs cargo offline.
# The booking page's HTML and CSS are minified (about 0.4 KB gzip of its size budget).
spa: tools
	$(CARGO) fetch --quiet
	cd frontend && PATH=$(NPM_BIN):$$PATH trunk build index.html --release --offline --minify
	cd frontend && PATH=$(NPM_BIN):$$PATH trunk build admin.html --release --offline \
	  --dist dist/admin --public-url /admin/

# The first load of the booking page (HTML, JS, WASM, CSS) must stay under 250 KB gzip (the
# dashboard, in dist/admin/, is not part of it, nor embed.js, which runs on the owner's site).
SPA_BUDGET_BYTES := 256000
spa-size:
	@total=0; for f in frontend/dist/*.html frontend/dist/*.js frontend/dist/*.wasm frontend/dist/*.css; do \
	  [ -f "$$f" ] && [ "$$f" != frontend/dist/embed.js ] || continue; n=$$(gzip -9c "$$f" | wc -c); total=$$((total + n)); \
	  printf '  %-48s %7d bytes gzip\n' "$$f" "$$n"; done; \
	echo "booking page first load: $$total bytes gzip (budget $(SPA_BUDGET_BYTES))"; \
	[ $$total -le $(SPA_BUDGET_BYTES) ]

# What the Dockerfile runs: the release binary and the SPA. TARGET=aarch64-unknown-linux-gnu
# cross-compiles the binary (README "Deployment"); the SPA is wasm whatever the target.
dist: spa
	$(CARGO) build --release --locked -p openslot $(if $(TARGET),--target $(TARGET))

# Not part of `make test`: speed is measured, never asserted in tests.
bench:
	$(CARGO) bench -p openslot

fuzz:
	@echo "see backend/fuzz/README.md"

# ---- Deployment (nginx/, Dockerfile) --------------------------------------------------------
# frontend/dist as nginx serves it: trunk's inline start-up script moved into a hashed file (the
# Content-Security-Policy allows no inline script) and a .gz next to each file (gzip_static).
# Part of `make dist` (what the Dockerfile runs); backend/tests/nginx.rs runs the script on a copy.
.PHONY: spa-web
dist: spa-web
spa-web: spa
	nginx/prepare-dist.sh frontend/dist

# ---- Containers, the .deb and arm64, built and run here (issue 17; deploy/) -----------------
# The tests (compose-test, arm64-test, deb-test = deploy-test, the last step of `make test`) run
# on the binary the test suite built (target/debug/openslot, stripped while staged: nothing is
# compiled twice) and on the one cross build, the arm64 binary in the same debug profile (2-4
# minutes: the host's build scripts and proc macros are shared). BUILD=release runs them on what
# ships (`make deploy-test-release`, about 35 minutes of release builds on 2 cores); only a
# release image is held to the 30 MB budget (deploy/image.sh). `make image`, `make image-arm64`
# and `make deb` always package the release binaries. Measured times: README "Deployment".
.PHONY: release image image-arm64 compose-test deb deb-test arm64 arm64-test deploy-deps deploy-test \
  deploy-test-release binaries
HOST_TARGET := $(shell rustc -vV 2>/dev/null | awk '/^host:/ {print $$2}')
ARM64_TARGET := aarch64-unknown-linux-gnu
RELEASE_BIN := target/$(HOST_TARGET)/release/openslot
ARM64_BIN := target/$(ARM64_TARGET)/release/openslot
ARM64_ENV := CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
COMPOSE_VENV := target/compose-venv
PODMAN_COMPOSE_VERSION := 1.6.0
BUILD ?= debug
ifeq ($(BUILD),release)
TEST_BIN := $(RELEASE_BIN)
TEST_ARM64_BIN := $(ARM64_BIN)
else
TEST_BIN := target/debug/openslot
TEST_ARM64_BIN := target/$(ARM64_TARGET)/debug/openslot
endif

deploy-test: compose-test arm64-test deb-test
deploy-test-release:
	$(MAKE) --no-print-directory deploy-test BUILD=release

# podman (TOOLCHAIN.md section 8), debootstrap (the nginx image's base), the dnsname CNI plugin
# (compose service names), qemu-user-static and the arm64 cross gcc; podman-compose from PyPI in
# a venv of its own; the arm64 Rust target. Each only when missing.
deploy-deps:
	@command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null \
	  && [ -x /usr/lib/cni/dnsname ] && command -v qemu-aarch64-static >/dev/null \
	  && command -v aarch64-linux-gnu-gcc >/dev/null && [ -d /usr/aarch64-linux-gnu/lib ] \
	  || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	       --no-install-recommends podman runc debootstrap golang-github-containernetworking-plugin-dnsname \
	       qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross; }
	@[ -x $(COMPOSE_VENV)/bin/podman-compose ] \
	  || { python3 -m venv $(COMPOSE_VENV) && $(COMPOSE_VENV)/bin/pip install -q podman-compose==$(PODMAN_COMPOSE_VERSION); }
	@rustup target list --installed 2>/dev/null | grep -qx $(ARM64_TARGET) || rustup target add $(ARM64_TARGET)

# The shipped binaries ([profile.release]) for this machine and for arm64, only `--bin openslot`.
release: deploy-deps
	$(ARM64_ENV) $(CARGO) build --release --locked -p openslot --bin openslot \
	  $(addprefix --target ,$(sort $(HOST_TARGET) $(ARM64_TARGET)))
arm64: release

# The two binaries the tests run. In debug, the x86_64 one is the test suite's, asked for the way
# `make unit` builds it (`cargo test`: the test profile, target/debug), so after `make unit` this
# compiles nothing; `cargo build` would compile the crate once more in the dev profile (44 s).
binaries: deploy-deps
ifeq ($(BUILD),release)
	@$(MAKE) --no-print-directory release
else
	$(CARGO) test --locked -q -p openslot --no-run --test deploy_files
	$(ARM64_ENV) $(CARGO) build --locked -p openslot --bin openslot --target $(ARM64_TARGET)
endif

# localhost/openslot:latest (FROM scratch, <= 30 MB) and localhost/openslot-nginx:latest.
image: release spa
	deploy/image.sh $(RELEASE_BIN)

# localhost/openslot:arm64, the service image for a Raspberry Pi (`podman save`, then `docker load`
# there: README "Deployment"); arm64-test runs the binary inside it under QEMU.
image-arm64: release
	deploy/image.sh $(ARM64_BIN)

# target/debian/openslot_VERSION_{amd64,arm64}.deb
deb: release spa
	deploy/deb.sh amd64 $(RELEASE_BIN)
	deploy/deb.sh arm64 $(ARM64_BIN)

# docker-compose.yml run for real (podman-compose); everything it made is removed.
compose-test: binaries spa
	OPENSLOT_BIN=$(TEST_BIN) deploy/compose-test.sh

arm64-test: binaries
	deploy/arm64-test.sh $(TEST_ARM64_BIN) $(TEST_BIN)

deb-test: binaries spa
	deploy/deb.sh amd64 $(TEST_BIN)
	deploy/deb.sh arm64 $(TEST_ARM64_BIN)
	deploy/deb-test.sh target/debian/openslot_*_amd64.deb target/debian/openslot_*_arm64.deb
