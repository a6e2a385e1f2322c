# The two commands a newcomer types: `make run` and `make test`.

SHELL   := /bin/bash
CARGO   ?= cargo
DATA    ?= .pos-data
POS      = target/release/pos
DEMO_PIN = 0000

.PHONY: run test deps lint unit bench bench-print demo-data clean-demo

## make run: build the till, set up the demo store on first start, open the till.
run: $(DATA)/till.db
	$(POS) --data-dir $(DATA) till

$(POS): FORCE
	$(CARGO) build --release -p pos-app --bin pos

$(DATA)/till.db: | $(POS)
	$(POS) --data-dir $(DATA) init --store "Superette El Baraka" --terminal "Caisse 1"
	$(POS) --data-dir $(DATA) user import fixtures/users.json
	$(POS) --data-dir $(DATA) catalog import fixtures/demo-catalog.csv --pin $(DEMO_PIN)
	@echo "Demo till ready. PINs: Amina 1111, Yacine 2222 (cashiers), Karim 9999 (manager), Admin 0000."

FORCE:

## make test: install what is missing, then format check, lints and every test.
test: deps lint unit

deps:
	@command -v cc >/dev/null || { apt-get update -q && apt-get install -y -q build-essential pkg-config; }
	@command -v socat >/dev/null || { apt-get update -q && apt-get install -y -q socat; }
	bash .ci/ensure-postgres.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	@mkdir -p target
	set -o pipefail; $(CARGO) test --workspace 2>&1 | tee target/test.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "total: %d passed, %d failed\n", p, f }' target/test.log

## make bench: the numbers the issues ask for (release build, 100k-product catalog).
BENCH_CATALOG = target/bench/catalog-100k.csv

bench:
	$(CARGO) build --release -p pos-app --bin pos-gen --bin pos-bench
	@mkdir -p target/bench
	@test -f $(BENCH_CATALOG) || target/release/pos-gen catalog --count 100000 --seed 1 --out $(BENCH_CATALOG)
	target/release/pos-bench --catalog $(BENCH_CATALOG)
	$(MAKE) bench-print

## make bench-print: receipt to ESC/POS bytes, Arabic raster, sale commit to the last byte on TCP.
bench-print:
	$(CARGO) build --release -p pos-app --bin pos-print-bench
	target/release/pos-print-bench fixtures/demo-catalog.csv

clean-demo:
	rm -rf $(DATA)
