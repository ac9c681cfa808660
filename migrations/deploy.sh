#!/usr/bin/env bash
# Post-deploy set-up of a Panacea cluster: checks the three programs are
# deployed, creates the registry with its first admin (signed by the
# programs' upgrade authority), and leaves an existing registry as it is.
# Safe to run again.
#
#   migrations/deploy.sh -u devnet -k ~/keys/upgrade-authority.json --admin <ADMIN ADDRESS>
#   migrations/deploy.sh -u localhost            # a localnet; admin = the signer
#
# Every argument goes to `panacea migrate` (see `panacea migrate --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet -p panacea-cli -- migrate "$@"
