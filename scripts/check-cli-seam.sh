#!/usr/bin/env bash
# The CLI is thin: it parses, calls one SDK operation and renders. This
# fails when a CLI command builds an instruction, sends a transaction
# itself, or reads an account's raw bytes (all of that is the SDK's).
set -euo pipefail
cd "$(dirname "$0")/.."
patterns=(
  '\.send\('                      # sending a transaction
  '\.submit(_signed)?\('          # submitting one
  '\.partially_signed\('
  'solana_instruction'            # building instructions
  '\bInstruction\b'
  'InstructionData|ToAccountMetas'
  '::instruction::'
  'data\['                        # raw layouts
  'data\.get\('
  '\.data\.as_slice\(\)|try_deserialize'
  'panacea_sdk::(records|consent|claims|bounties)::[a-z_]+\('   # instruction builders...
)
allowed='_address\(|request_target\(|grant_target\(|consent_message\(|message_context\('  # ...but not address helpers
found=0
for pattern in "${patterns[@]}"; do
  pattern="${pattern%%#*}"; pattern="${pattern%"${pattern##*[![:space:]]}"}"
  while IFS= read -r hit; do
    if [[ "$pattern" == panacea_sdk* ]] && grep -Eq "$allowed" <<<"$hit"; then continue; fi
    echo "cli seam: $hit" >&2
    found=1
  done < <(grep -rEn "$pattern" cli/src/commands || true)
done
if [ "$found" -ne 0 ]; then
  echo "a CLI command builds, sends or decodes by itself: move it into panacea-sdk" >&2
  exit 1
fi
echo "cli seam: no CLI command builds an instruction, sends, or reads a raw layout"
