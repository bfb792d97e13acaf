# Uketsuke: `make demo` to see it, `make test` to prove it.
SHELL := /bin/bash
.DEFAULT_GOAL := help
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"
# Clippy lints our crates while they are built (clippy-driver wraps rustc for the
# workspace's own crates only; warnings denied): the tests' one build is also the lint,
# instead of a separate check of every dependency first (about 3 min on CI's 2 cores).
# clippy.toml and [workspace.lints] apply as with `cargo clippy`. Every cargo command
# here shares these, so none rebuilds what another built.
export RUSTC_WORKSPACE_WRAPPER := clippy-driver
export CLIPPY_ARGS := -D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

.PHONY: help deps ui build bindings lint test test-ui test-rust demo sim bench clean package soak

help:
	@echo "make demo   install what is needed, build, start the simulator and the app"
	@echo "make test   run every test: Rust (core against the simulator, real keyring), UI, end to end"
	@echo "make package  a release .deb (target/release/bundle/deb/)"
	@echo "make soak   the door-rights model for 5,000 steps of three seeds"

deps: ## system packages (apt), Rust/Node checks, npm packages
	scripts/install-system-deps.sh
	scripts/rust-components.sh
	cd ui && npm ci --no-audit --no-fund --loglevel=error

ui: deps
	cd ui && npm run build

build: ui
	cargo build --workspace

test-ui: deps
	cd ui && npm run check && npm test

bindings: ui ## rewrite ui/src/lib/bindings.ts from the Rust commands and types
	UKETSUKE_BLESS=1 cargo test -p uketsuke-app --lib contract::bindings_are_fresh

lint: build ## format and lint gates: rustfmt, clippy -D warnings (in the build), doc links, cargo-deny
	scripts/lint.sh

test-rust: build
	scripts/install-test-tools.sh
	eval "$$(scripts/start-cups.sh)" && UKETSUKE_E2E=1 UKETSUKE_TEST_KEYRING=1 $(XVFB) scripts/with-keyring.sh cargo test --workspace
	UKETSUKE_TEST_KEYRING=1 $(XVFB) scripts/with-keyring.sh scripts/test-package.sh

package: ui ## a release .deb with the Tauri bundler (target/release/bundle/deb/)
	ui/node_modules/.bin/tauri build --bundles deb

test: test-ui lint test-rust

soak: ## the door-rights model, long: 5,000 steps of three seeds (make test runs 500 of one)
	for seed in 1 2 3; do \
	  UKETSUKE_MODEL_SEED=$$seed UKETSUKE_MODEL_STEPS=5000 cargo test -p uketsuke-core --test it \
	    door_rights_model -- --nocapture || exit 1; \
	done

demo: build
	scripts/demo.sh

sim:
	cargo run -p uketsuke-sim -- --port 8790

bench: ui
	cargo bench -p uketsuke-core --bench sesame
	cargo bench -p uketsuke-core --bench splats
	cargo bench -p uketsuke-core --bench business_day
	cargo bench -p uketsuke-core --bench history
	cargo bench -p uketsuke-facility --bench facility
	cargo build --release -p uketsuke-app -p uketsuke-blank-window
	scripts/install-test-tools.sh
	UKETSUKE_TEST_KEYRING=1 $(XVFB) scripts/with-keyring.sh cargo bench -p uketsuke-e2e --bench window
	UKETSUKE_TEST_KEYRING=1 $(XVFB) scripts/with-keyring.sh cargo bench -p uketsuke-e2e --bench work

clean:
	rm -rf target ui/dist ui/node_modules .demo
