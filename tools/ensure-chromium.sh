#!/usr/bin/env bash
# Make sure Debian's Chromium and CJK fonts are present for headless browser tests.
# Idempotent: does nothing (and prints nothing) when both are already installed.
# Without fonts-noto-cjk, Chinese text renders as empty boxes in screenshots.
# Needs root (or sudo) and an apt source; never downloads a browser build of its own.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" \
  || need+=(fonts-noto-cjk)

[ "${#need[@]}" -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-chromium: need root to install ${need[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "ensure-chromium: installing chromium fonts-noto-cjk" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q \
       && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            chromium fonts-noto-cjk; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get failed" >&2
  exit 1
fi

[ -x /usr/bin/chromium ] || { echo "ensure-chromium: /usr/bin/chromium still missing" >&2; exit 1; }
echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n 1)" >&2
exit 0
