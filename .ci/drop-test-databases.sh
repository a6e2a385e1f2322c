#!/usr/bin/env bash
# Drops the databases earlier test runs left on the machine's Postgres: each test makes its own,
# named `<prefix>_<32 hex digits>`, and they add up to gigabytes over runs. Other databases
# (`pos_demo`, benchmarks', anyone else's) are left alone, and so is one still in use.
set -uo pipefail

psql -h 127.0.0.1 -U postgres -d postgres -tAc \
    "SELECT datname FROM pg_database WHERE datname ~ '^pos_[a-z_]+_[0-9a-f]{32}$'" |
    xargs -r -P 8 -I{} psql -h 127.0.0.1 -U postgres -d postgres -qc 'DROP DATABASE IF EXISTS "{}"' \
        >/dev/null 2>&1
exit 0
