#!/usr/bin/env bash
# Makes sure what the till needs to build and to be tested is here: WebKitGTK 4.1 and friends
# for the Tauri 2 window, Xvfb, WebKitWebDriver and tauri-driver to drive it, socat for the
# serial-printer tests, libclang and libv4l for the camera's V4L2 bindings, and Node.js for the UI. Installs only what is missing.
set -euo pipefail

packages=(
    build-essential pkg-config file libssl-dev
    libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev libudev-dev
    xvfb webkit2gtk-driver
    socat
    libclang-dev libv4l-dev
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

if ! command -v tauri-driver >/dev/null; then
    cargo install tauri-driver --version '^2' --locked
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Node.js 20.19+ and npm are needed for the UI (ui/): install them first" >&2
    exit 1
fi
