# The two commands a newcomer types: `make run` and `make test`.

SHELL   := /bin/bash
CARGO   ?= cargo
DATA    ?= .pos-data
POS      = target/release/pos
DEMO_PIN = 0000

DESKTOP  = target/release/pos-desktop
# Incremental caches take gigabytes and only speed up the edit-compile loop: `make test` builds
# each crate once. Set CARGO_INCREMENTAL=1 to keep them.
export CARGO_INCREMENTAL ?= 0

# Where cargo puts what it builds (CARGO_TARGET_DIR when set), for the end-to-end run.
BUILD_DIR = $(or $(CARGO_TARGET_DIR),target)

.PHONY: run run-terminal run-server test deps deps-chromium deps-nats lint unit bins ui-test e2e portal-e2e bench bench-print bench-scan bench-desktop bench-sync bench-events bench-portal demo-data clean-demo ui

## make run: build the UI and the till's window, set up the demo store on first start, open it.
run: deps-desktop ui $(DATA)/till.db
	$(CARGO) build --release -p pos-desktop
	$(DESKTOP) --data-dir $(DATA)

## make run-server: the sync server with the back-office portal at http://127.0.0.1:8080/, over a
## fresh `pos_demo` database holding two demo stores whose four terminals pushed 90 days of sales;
## prints the portal's address, the demo sign-ins and the command that enrols `make run`'s till.
run-server: deps-postgres ui
	$(CARGO) build --release -p sync-server --example portal-demo
	$(BUILD_DIR)/release/examples/portal-demo

## make run-terminal: the same till in the terminal (no window).
run-terminal: $(DATA)/till.db
	$(POS) --data-dir $(DATA) till

$(POS): FORCE
	$(CARGO) build --release -p pos-cli

deps-desktop:
	bash .ci/ensure-desktop.sh

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

ui: ui/node_modules/.package-lock.json
	cd ui && npm run build

$(DATA)/till.db: | $(POS)
	$(POS) --data-dir $(DATA) init --store "Superette El Baraka" --terminal "Caisse 1"
	$(POS) --data-dir $(DATA) user import fixtures/users.json
	$(POS) --data-dir $(DATA) catalog import fixtures/demo-catalog.csv --pin $(DEMO_PIN)
	@echo "Demo till ready. PINs: Amina 1111, Yacine 2222 (cashiers), Karim 9999 (manager), Admin 0000."

FORCE:

## make test: install what is missing, then format check, lints and every test: Rust (unit,
## scenario, Postgres), the UI's unit tests, and the real window end to end under Xvfb.
test: deps lint unit ui-test e2e portal-e2e
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "total: %d passed, %d failed\n", p, f }' target/test.log

deps: deps-desktop deps-chromium ui/node_modules/.package-lock.json
	bash .ci/ensure-postgres.sh
	bash .ci/ensure-nats.sh

deps-chromium:
	bash .ci/ensure-chromium.sh

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	cd ui && npm run check

unit:
	@mkdir -p target
	bash .ci/drop-test-databases.sh
	set -o pipefail; $(CARGO) test --workspace 2>&1 | tee target/test.log

# vitest's summary is added to the Rust log in cargo's words, so `total:` counts it too.
ui-test: ui/node_modules/.package-lock.json
	set -o pipefail; cd ui && npx vitest run 2>&1 | tee ../target/ui-test.log
	@sed 's/\x1b\[[0-9;]*m//g' target/ui-test.log | awk '/^ *Tests / { f = 0; for (i = 1; i <= NF; i++) { if ($$(i+1) ~ /^passed/) p = $$i; if ($$(i+1) ~ /^failed/) f = $$i } printf "test result: ui. %d passed; %d failed; vitest\n", p, f }' >> target/test.log

## make bins: every binary and example of the workspace, for the end-to-end runs. Built over the
## whole workspace with its examples (which bring in the dev-dependencies, as the tests do), the
## dependencies get the features `cargo test --workspace` gave them and are not compiled again;
## `cargo build -p pos-desktop` alone would compile serde, syn and most others again.
bins:
	$(CARGO) build --workspace --bins --examples

## make e2e: the till's window end to end under Xvfb (tauri-driver + WebKitWebDriver).
e2e: ui bins
	set -o pipefail; POS_BIN_DIR=$(BUILD_DIR)/debug node ui/e2e/till.e2e.mjs 2>&1 | tee target/e2e.log
	@grep '^test result:' target/e2e.log >> target/test.log

## make portal-e2e: the back-office portal in Debian's Chromium (playwright-core) against the real
## server and a generated history; screenshots in target/e2e-portal/.
portal-e2e: ui bins deps-chromium deps-postgres
	set -o pipefail; POS_BIN_DIR=$(BUILD_DIR)/debug node ui/e2e/portal.e2e.mjs 2>&1 | tee target/portal-e2e.log
	@grep '^test result:' target/portal-e2e.log >> target/test.log

## make bench: the numbers the issues ask for (release build, 100k-product catalog).
BENCH_CATALOG = target/bench/catalog-100k.csv

bench:
	$(CARGO) build --release -p pos-tools --bin pos-gen --bin pos-bench
	@mkdir -p target/bench
	@test -f $(BENCH_CATALOG) || target/release/pos-gen catalog --count 100000 --seed 1 --out $(BENCH_CATALOG)
	target/release/pos-bench --catalog $(BENCH_CATALOG)
	$(MAKE) bench-print

## make bench-print: receipt to ESC/POS bytes, Arabic raster, sale commit to the last byte on TCP.
bench-print:
	$(CARGO) build --release -p pos-tools --bin pos-print-bench
	$(BUILD_DIR)/release/pos-print-bench fixtures/demo-catalog.csv

## make bench-desktop: the window's numbers (release build, 100k-product catalog, under Xvfb).
bench-desktop: ui
	$(CARGO) build --release -p pos-cli -p pos-tools --bin pos --bin pos-gen
	$(CARGO) build --release -p pos-desktop
	@mkdir -p target/bench
	@test -f $(BENCH_CATALOG) || $(BUILD_DIR)/release/pos-gen catalog --count 100000 --seed 1 --out $(BENCH_CATALOG)
	POS_BIN_DIR=$(BUILD_DIR)/release POS_E2E_CATALOG=$(CURDIR)/$(BENCH_CATALOG) POS_E2E_SCANS=60 node ui/e2e/till.e2e.mjs

## make bench-scan: barcode decoding speed and reads, next to zxing-cpp if installed.
bench-scan:
	$(CARGO) build --release -p pos-tools --bin pos-scan-bench
	@python3 -c "import zxingcpp" 2>/dev/null || echo "(zxing-cpp not installed: pip install zxing-cpp to compare)"
	$(BUILD_DIR)/release/pos-scan-bench

## make bench-sync: the sync server's numbers (release build, real server over a fresh Postgres
## database): push ingest next to raw inserts, reconnect storm, visibility between terminals,
## and a 100k-product catalog to a fresh terminal through the snapshot.
bench-sync: deps-postgres
	$(CARGO) bench -p sync-server --bench sync
	$(CARGO) build --release -p pos-tools --bin pos-gen
	@mkdir -p target/bench
	@test -f $(BENCH_CATALOG) || $(BUILD_DIR)/release/pos-gen catalog --count 100000 --seed 1 --out $(BENCH_CATALOG)
	SNAPSHOT_CATALOG=$(CURDIR)/$(BENCH_CATALOG) $(CARGO) bench -p pos-tools --bench snapshot

deps-postgres:
	bash .ci/ensure-postgres.sh

deps-nats:
	bash .ci/ensure-nats.sh

## make bench-events: the fan-out's numbers (release build, a nats-server of its own, a fresh
## Postgres database): relay events/s next to raw JetStream publishing with acks, push commit to
## consumer latency at 500 sales/s, and a 100k-event backlog drained after NATS comes back.
bench-events: deps-postgres deps-nats
	$(CARGO) bench -p sync-server --bench events

## make bench-portal: the portal's report latencies over a big generated history (PORTAL_BENCH_LINES
## sale lines over PORTAL_BENCH_STORES stores and 2 years; see sync-server/benches/portal/).
bench-portal: deps-postgres
	$(CARGO) bench -p sync-server --bench portal

clean-demo:
	rm -rf $(DATA)
