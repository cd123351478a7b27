#!/usr/bin/env bash
# Debian packages the browser tests need: chromium (driven by Playwright) and CJK fonts (so Chinese
# renders in screenshots and PDFs), and Pango for the bulletin's PDF (WeasyPrint). Installed once when
# missing; nothing else is touched.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# (grep reads all its input: with -q it would stop early, and pipefail would count the SIGPIPE.)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
# Pango for WeasyPrint (the bulletin PDF).
ldconfig -p 2>/dev/null | grep "libpango-1.0.so.0" >/dev/null || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null || missing+=(libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Browser tests need Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
