#!/usr/bin/env bash
# Installs what the media benchmarks need from Debian: the reference Janus 1.1.2 (`janus`, started
# by the bench itself with a generated config, never as a service), iproute2 for the network
# namespace, util-linux for taskset, and librsvg2-bin (rsvg-convert) for the PNG figures.
# Needs root; idempotent. Usage: bash bench/scripts/install-janus.sh
set -euo pipefail

packages=(janus iproute2 util-linux librsvg2-bin)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-janus: not root; run: sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-janus: already installed: ${packages[*]}"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: the bench needs the binary and its plugins, not the demos.
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The Debian package enables a systemd service; the bench never uses it. Stop it where systemd runs,
# so a system Janus does not hold port 8188 or share the cores being measured.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet janus 2>/dev/null; then
  systemctl stop janus || true
fi
/usr/bin/janus --version 2>/dev/null | head -1
