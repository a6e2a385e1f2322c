#!/usr/bin/env bash
# Makes sure `nats-server` (with JetStream) is installed: the sync server's event tests and
# `make bench-events` start one of their own per test, on a free port with a temporary store
# directory, and never use a NATS already running. Installs Debian's package when missing.
set -euo pipefail

found() { command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || [ -x /usr/bin/nats-server ]; }

if ! found; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nats-server
fi
found || { echo "nats-server is not installed and could not be installed" >&2; exit 1; }
bin=$(command -v nats-server || ls /usr/sbin/nats-server /usr/bin/nats-server 2>/dev/null | head -n 1)
"$bin" --version >/dev/null
