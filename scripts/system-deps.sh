#!/usr/bin/env bash
# Debian packages Minyi needs beyond Python and Node, installed once when missing (nothing else is
# touched): Pango and CJK fonts for the bulletin's PDF (WeasyPrint) — the app itself, `make run` —
# and, for the tests (`make test`), chromium (driven by Playwright) and faketime (the suite under a
# moved clock, scripts/check.sh --moved-clock).
# `--runtime` checks only the app's packages, and without root only warns: the app runs, the PDF
# download does not until they are installed.
set -euo pipefail
runtime_only=false
[ "${1:-}" = "--runtime" ] && runtime_only=true
missing=()
# (grep reads all its input: with -q it would stop early, and pipefail would count the SIGPIPE.)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep "libpango-1.0.so.0" >/dev/null || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null || missing+=(libpangoft2-1.0-0)
$runtime_only || [ -x /usr/bin/chromium ] || missing+=(chromium)
$runtime_only || compgen -G "/usr/lib/*/faketime/libfaketimeMT.so.1" >/dev/null || missing+=(faketime)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if $runtime_only; then
    echo "Warning: the bulletin's PDF needs Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
    exit 0
  fi
  echo "Browser tests need Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
