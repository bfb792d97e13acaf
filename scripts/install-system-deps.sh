#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Uketsuke needs to build, run and test.
# Idempotent: skips apt when every package is already present.
set -euo pipefail

PACKAGES=(
  # Tauri 2 build on Linux
  build-essential pkg-config file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev
  # Secret Service for the keyring
  dbus dbus-x11 gnome-keyring libsecret-1-dev libsecret-tools
  # a display, the WebDriver for end-to-end tests, screenshots and QR decoding
  xvfb xauth webkit2gtk-driver zbar-tools imagemagick
  # the audit test edits a row the way someone with the file would
  sqlite3
  # facility mode's tests start a throwaway PostgreSQL cluster of their own, and give
  # it a certificate of their own CA (openssl) to test TLS
  postgresql openssl
  # Japanese glyphs in the web view and on printed passes
  fonts-noto-cjk
  # the printed-pass test prints through CUPS to a PDF queue and reads the page back
  cups cups-client printer-driver-cups-pdf poppler-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
else
  echo "system packages: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Vite 8 needs Node 20.19 or newer; older distributions ship an older one.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Node.js $(node --version) is too old: install Node 20.19+ (e.g. from NodeSource) and run again" >&2
  exit 1
fi

# Rust comes from rustup, not apt (Debian's is too old for Tauri 2).
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  echo "Rust installed: open a new shell (or run: source ~/.cargo/env) and run make again" >&2
  exit 1
fi
