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
  # Japanese glyphs in the web view
  fonts-noto-cjk
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
