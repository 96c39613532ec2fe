# OpenSlot: the two commands of the README, and their parts.
#   make run    OpenSlot serving the demo configuration (examples/), no account anywhere needed
#   make test   every test; installs what it needs first
SHELL := /bin/bash
CARGO ?= cargo
FROM  ?= $(shell date +%F)
TO    ?= $(shell date -d '+6 days' +%F)

.PHONY: run slots test setup test-deps fmt lint unit frontend bench fuzz

run:
	$(CARGO) run --release --quiet -- check-config --config examples/openslot.toml
	$(CARGO) run --release --quiet -- serve --config examples/openslot.toml

# The free slots of the demo calendars for the next 7 days, without starting the service.
slots:
	$(CARGO) run --release --quiet -- slots --config examples/openslot.toml --from $(FROM) --to $(TO)

test: setup fmt lint frontend unit

# Only what is missing is installed; a machine that has it all installs nothing.
setup:
	@rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@[ -d ../shared/corpus ] || echo "NOTE: ../shared/corpus is absent: the corpus tests will say SKIPPED"
	@$(MAKE) --no-print-directory test-deps

# Real servers the tests start on 127.0.0.1 (Radicale, Xandikos, aiosmtpd) and schemathesis
# (backend/tests/schemathesis.rs), in a venv of their own; the tests find it at
# target/test-venv (or $$OPENSLOT_TEST_VENV).
TEST_VENV := target/test-venv
PY_TEST_DEPS := radicale==3.9.0 xandikos==0.4.10 aiosmtpd==1.4.6 schemathesis==4.32.5
test-deps:
	@[ -x $(TEST_VENV)/bin/radicale ] && [ -x $(TEST_VENV)/bin/xandikos ] \
	  && [ -x $(TEST_VENV)/bin/schemathesis ] \
	  || { python3 -m venv $(TEST_VENV) && $(TEST_VENV)/bin/pip install -q $(PY_TEST_DEPS); }

fmt:
	$(CARGO) fmt --all --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Unit, property, corpus, CLI and fuzz-regression tests; the last line sums them up.
unit:
	@mkdir -p target
	set -o pipefail; $(CARGO) test -p openslot --lib --bins --tests 2>&1 | tee target/test-output.log
	@awk '/^test result:/ {p += $$4; f += $$6} END {printf "openslot: %d passed, %d failed\n", p, f}' target/test-output.log

# A later issue builds the SPA with trunk; for now the crate must compile to wasm.
frontend:
	$(CARGO) build -p openslot-frontend --target wasm32-unknown-unknown

# Not part of `make test`: speed is measured, never asserted in tests.
bench:
	$(CARGO) bench -p openslot

fuzz:
	@echo "see backend/fuzz/README.md"
