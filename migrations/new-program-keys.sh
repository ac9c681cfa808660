#!/usr/bin/env bash
# Fresh, secret program keypairs for a new public cluster (devnet, testnet,
# mainnet-beta). The keypairs under deploy/ are in git: they are fine for a
# localnet and must never hold a program on a public cluster, since anyone
# who cloned the repository could deploy to their ids first.
#
#   migrations/new-program-keys.sh ~/keys/panacea-mainnet
#
# Writes records-keypair.json, consent-keypair.json, claims-keypair.json and bounties-keypair.json
# (Solana keypair files: 64 numbers, seed then public key) into the given
# directory, readable by you only, and prints the program ids with the
# steps that follow. The directory must be outside this repository and must
# not hold keypairs already. Needs openssl (1.1.1 or later) and python3.
set -euo pipefail
umask 077

out="${1:-}"
if [ -z "$out" ]; then
  echo "usage: $0 OUT_DIR   (a directory outside the repository)" >&2
  exit 2
fi
repo="$(cd "$(dirname "$0")/.." && pwd -P)"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
case "$out/" in
  "$repo"/*)
    rmdir "$out" 2>/dev/null || true
    echo "error: $out is inside the repository; program keypairs for a public cluster must never be committed" >&2
    exit 1 ;;
esac
for program in records consent claims bounties; do
  if [ -e "$out/$program-keypair.json" ]; then
    echo "error: $out/$program-keypair.json exists; refusing to overwrite a program keypair" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for program in records consent claims bounties; do
  openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
  openssl pkey -in "$work/key.pem" -outform DER -out "$work/private.der"
  openssl pkey -in "$work/key.pem" -pubout -outform DER -out "$work/public.der"
  python3 - "$work/private.der" "$work/public.der" "$out/$program-keypair.json" "$program" <<'PY'
import json, sys
# PKCS#8 and SubjectPublicKeyInfo DER of an Ed25519 key: the 32-byte seed
# and the 32-byte public key are the last 32 bytes of each.
seed = open(sys.argv[1], "rb").read()[-32:]
pub = open(sys.argv[2], "rb").read()[-32:]
path, program = sys.argv[3], sys.argv[4]
with open(path, "w") as f:
    json.dump(list(seed + pub), f)
alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
n, text = int.from_bytes(pub, "big"), ""
while n:
    n, r = divmod(n, 58)
    text = alphabet[r] + text
text = "1" * (len(pub) - len(pub.lstrip(b"\0"))) + text
print(f"{program:8} {text}   {path}")
PY
  rm -f "$work/key.pem" "$work/private.der"
done
cat <<STEPS

Next, on the machine with the SBF toolchain:
  1. put each id in its program's declare_id! (programs/<name>/src/lib.rs)
     and under [programs.<cluster>] in Anchor.toml (or: anchor keys sync
     with these files copied to target/deploy/);
  2. anchor build --verifiable, then anchor deploy with these keypairs;
  3. migrations/deploy.sh -u <cluster> -k <upgrade authority> --admin <multisig>.
Keep $out offline once deployed: the keypairs are only needed for the
first deployment (upgrades are signed by the upgrade authority).
STEPS
