#!/usr/bin/env bash
# Debian tools the tests use, installed when missing (`npm test` runs this first, as `pretest`):
# cjpeg (libjpeg-turbo-progs) and heif-enc (libheif-examples) write fixtures sharp cannot
# (arithmetic-coded JPEG, HEIC); chromium renders the HTML report and the browser example.
# No test skips for a missing tool: without them the tests fail and say what to install.
set -euo pipefail
missing=()
command -v cjpeg >/dev/null 2>&1 || missing+=(libjpeg-turbo-progs)
command -v heif-enc >/dev/null 2>&1 || missing+=(libheif-examples)
[ -x "${GRAFT_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "npm test: installing the Debian packages the tests need: ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "npm test: no apt-get here: install cjpeg (libjpeg-turbo), heif-enc (libheif) and Chromium (or set GRAFT_CHROMIUM to it), then run npm test again" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "npm test: cannot install them without root: run  sudo apt-get install -y --no-install-recommends ${missing[*]}  then npm test again" >&2
  exit 1
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
