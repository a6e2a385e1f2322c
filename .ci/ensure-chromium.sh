#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the portal's end-to-end test
# (playwright-core drives it; no browser is ever downloaded). Installs the package if missing.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
/usr/bin/chromium --version >/dev/null 2>&1 \
    || { echo "/usr/bin/chromium does not start" >&2; exit 1; }
