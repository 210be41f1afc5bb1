#!/usr/bin/env bash
# Installs Debian's chromium (/usr/bin/chromium) for the browser tests when it is missing:
# apt-get without recommended packages (about 30 packages, 120 MB, instead of about 115 with
# recommends). Needs root (or sudo). Does nothing when chromium is already installed.
#
# Usage: scripts/install-chromium.sh
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
sudo=
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=sudo
  else
    echo "install-chromium: installing Debian's chromium needs root (or sudo)" >&2
    exit 1
  fi
fi
echo "install-chromium: apt-get install --no-install-recommends chromium" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version >&2
