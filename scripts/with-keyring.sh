#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so
# that the OS keyring (Secret Service) is real but nothing touches the user's own.
# Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ -z "${UKETSUKE_IN_KEYRING_SESSION:-}" ]; then
  export UKETSUKE_IN_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
# A throwaway home for the keyring files, unless the caller chose one.
export XDG_DATA_HOME="${XDG_DATA_HOME_FOR_KEYRING:-$(mktemp -d)}"
eval "$(printf 'uketsuke' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
# Wait until that daemon owns the Secret Service name. Asking before would make D-Bus
# start a second daemon, which has no unlocked keyring and waits for a password prompt.
for _ in $(seq 1 100); do
  if dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
      /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q true; then
    break
  fi
  sleep 0.05
done
# The daemon creates the login collection on first unlock; wait until it answers.
for _ in $(seq 1 50); do
  if printf 'probe' | secret-tool store --label=probe uketsuke probe 2>/dev/null; then
    secret-tool clear uketsuke probe 2>/dev/null || true
    break
  fi
  sleep 0.1
done
exec "$@"
