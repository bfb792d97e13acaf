#!/usr/bin/env bash
# The print server the printed-pass test prints to: CUPS with a cups-pdf queue,
# `uketsuke-test-pdf`, whose pages land as PDF files in cups-pdf's folder for the job's
# user (~/PDF). Starts cupsd when it is not running (a CI container has no init).
# Prints the two settings the test reads, for `eval`:
#   UKETSUKE_CUPS_QUEUE=… UKETSUKE_CUPS_PDF_DIR=…
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! lpstat -r >/dev/null 2>&1; then
  $SUDO cupsd
  for _ in $(seq 50); do lpstat -r >/dev/null 2>&1 && break; sleep 0.1; done
fi
queue=uketsuke-test-pdf
if ! lpstat -p "$queue" >/dev/null 2>&1; then
  ppd=$(lpinfo -m 2>/dev/null | awk '/CUPS-PDF/ {print $1; exit}')
  $SUDO lpadmin -p "$queue" -v cups-pdf:/ -m "$ppd" -E 2>/dev/null
fi
echo "export UKETSUKE_CUPS_QUEUE=$queue UKETSUKE_CUPS_PDF_DIR=$HOME/PDF"
