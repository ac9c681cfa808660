#!/usr/bin/env bash
# CI for the TypeScript client (clients/js), called by .ci/run after the Rust
# tests: install from the lockfile, check the generated client is current,
# type-check strictly, then run the TS tests (cross-language vectors, and the
# suite against a panacea-localnet started on free ports).
#
#   clients/js/ci.sh              # skips, with a message, when Node is missing
#   CI=1 clients/js/ci.sh         # in CI: a missing Node is a failure
#   clients/js/ci.sh --require-node
#
# The localnet and CLI binaries: PANACEA_LOCALNET / PANACEA_CLI when set,
# else built (a no-op after `cargo test --workspace`) in the workspace's
# target directory.
set -euo pipefail
cd "$(dirname "$0")"
require_node=0
[[ -n "${CI:-}" && "${CI}" != "0" && "${CI}" != "false" ]] && require_node=1
for arg in "$@"; do
  case "$arg" in
    --require-node) require_node=1 ;;
    *) echo "usage: clients/js/ci.sh [--require-node]" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [[ $require_node == 1 ]]; then
    echo "error: node and npm (Node >= 20) are required for the TypeScript client's CI (CI is set)" >&2
    exit 1
  fi
  echo "SKIPPED: the TypeScript client checks need node and npm (Node >= 20); install them (Debian: apt-get install nodejs npm) to run them"
  exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if (( major < 20 )); then
  echo "error: Node >= 20 is required, found $(node --version)" >&2
  exit 1
fi

step "npm ci (clients/js, from package-lock.json)"
npm ci --no-audit --no-fund

step "generated client is current (npm run generate; git diff --exit-code)"
npm run --silent generate
if ! git diff --exit-code -- src/generated || [[ -n "$(git status --porcelain -- src/generated)" ]]; then
  git status --porcelain -- src/generated
  echo "error: src/generated is not what idl/*.json generates: run 'npm run generate' in clients/js and commit" >&2
  exit 1
fi

step "tsc --strict --noEmit"
npm run --silent typecheck

if [[ -z "${PANACEA_LOCALNET:-}" || -z "${PANACEA_CLI:-}" ]]; then
  step "building panacea-localnet and panacea-cli (no-op after cargo test --workspace)"
  (cd ../.. && cargo build --locked -q -p panacea-localnet -p panacea-cli)
  target="${CARGO_TARGET_DIR:-$(cd ../.. && pwd)/target}"
  export PANACEA_LOCALNET="${PANACEA_LOCALNET:-$target/debug/panacea-localnet}"
  export PANACEA_CLI="${PANACEA_CLI:-$target/debug/panacea}"
fi

step "TS tests (vectors; the suite against panacea-localnet)"
started=$(date +%s)
status=0
npm test || status=$?
echo "TS tests took $(( $(date +%s) - started )) s"
exit $status
