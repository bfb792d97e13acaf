#!/usr/bin/env bash
# Starts the simulator, points a demo config at it, signs in with the simulator's
# demo token, syncs, and opens the staff window. Ctrl-C (or closing the window) stops all.
set -euo pipefail
cd "$(dirname "$0")/.."

# The OS keyring: use the desktop's if it answers, else a private one for the demo.
keyring_answers() {
  printf probe | timeout 5 secret-tool store --label=probe uketsuke probe 2>/dev/null &&
    secret-tool clear uketsuke probe 2>/dev/null
}
if [ -z "${UKETSUKE_IN_KEYRING_SESSION:-}" ] && ! keyring_answers; then
  exec scripts/with-keyring.sh "$0" "$@"
fi
# No display (a server, CI): run the window on a virtual one.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display found: running the app under Xvfb (nothing will be visible)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi

PORT="${UKETSUKE_SIM_PORT:-8790}"
DEMO=.demo
mkdir -p "$DEMO"
BIN=target/debug

"$BIN/uketsuke-sim" --port "$PORT" --write-demo-devices "$DEMO/devices.tsv" &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/_sim/health" >/dev/null 2>&1 && break
  sleep 0.1
done

cat > "$DEMO/config.toml" <<TOML
language = "ja"
database = "$PWD/$DEMO/cache.sqlite3"
keyring_service = "jp.uketsuke.demo"

[reservation]
base_url = "http://127.0.0.1:$PORT/reserve"
client_id = "demo-client"

[sesame]
base_url = "http://127.0.0.1:$PORT/sesame/api/sesame2"
monthly_allowance = 3000
poll_budget_per_month = 1000
poll_interval_secs = 600

[splats]
base_url = "http://127.0.0.1:$PORT/splats"
guest_membergroup_id = "mg-guest"
guest_qr_timestep_secs = 30
TOML

export UKETSUKE_CONFIG="$PWD/$DEMO/config.toml"
printf 'demo-reservation-token' | "$BIN/uketsuke" secret set reservation.token >/dev/null
printf 'demo-client-secret' | "$BIN/uketsuke" secret set reservation.client_secret >/dev/null
printf 'DemoSesameApiKey0123456789abcdefghijklmn' | "$BIN/uketsuke" secret set sesame.api_key >/dev/null
printf 'demo-splats-token' | "$BIN/uketsuke" secret set splats.token >/dev/null
printf 'demo-splats-license-key' | "$BIN/uketsuke" secret set splats.license_key >/dev/null
"$BIN/uketsuke" sync
# Each room and entrance opens with its SPLATS area (the simulator lists them in this order).
n=1
for area in A101 A102 A103 A201 A202; do
  "$BIN/uketsuke" splats map --area "$area" --to "$(printf 'sa-%04d' $n)" >/dev/null; n=$((n + 1))
done
"$BIN/uketsuke" splats map --entrance S001 --to sa-0006 >/dev/null
"$BIN/uketsuke" splats map --entrance S002 --to sa-0007 >/dev/null
# Register every demo lock, as a manager would with the UUID and secret key.
while IFS=$'\t' read -r door uuid secret; do
  case "$door" in
    area:*) flag=--area ;;
    entrance:*) flag=--entrance ;;
    *) continue ;;
  esac
  printf '%s' "$secret" | "$BIN/uketsuke" sesame assign "$flag" "${door#*:}" --uuid "$uuid" >/dev/null
done < "$DEMO/devices.tsv"
"$BIN/uketsuke" doctor || true
echo "opening the staff window (close it to stop the demo)"
echo "  設定 (Settings): choose a manager PIN the first time."
echo "  予約システムにサインイン: the simulator's login is manager / demo-pass."
echo "  キオスク画面: the guest-facing kiosk (its 管理者用 button asks for the manager PIN)."
"$BIN/uketsuke-app" --config "$UKETSUKE_CONFIG"
