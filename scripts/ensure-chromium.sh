#!/usr/bin/env bash
# Browser tests drive Debian's chromium (never a downloaded browser), with a Chinese font so the
# screenshots show text rather than empty boxes; the PDF test reads quotes with poppler's pdftotext
# as a viewer would. Install them when missing and we are allowed to (root with apt); otherwise
# those tests skip, or fail under CI.
set -u
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk" && command -v pdftotext >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "[setup] installing Debian chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei poppler-utils >/dev/null) \
    || echo "[setup] could not install chromium; browser tests will not run" >&2
else
  echo "[setup] /usr/bin/chromium missing and cannot install it (need root + apt); browser tests will skip" >&2
fi
exit 0
