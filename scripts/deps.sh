#!/usr/bin/env bash
# Installs what the build needs beyond the Rust toolchain, on Debian or
# Ubuntu: pkg-config and OpenSSL headers (the RPC client), libclang (the
# local validator's rocksdb bindings), libudev (hardware wallets over USB).
# Does nothing when they are there.
set -euo pipefail
APT_PACKAGES=(pkg-config libssl-dev libclang-dev libudev-dev)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
