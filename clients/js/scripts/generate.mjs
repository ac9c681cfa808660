#!/usr/bin/env node
// Renders the @solana/kit clients of every program in ../../idl/*.json into
// src/generated/<program>/ with Codama's JavaScript API (@codama/cli needs
// Node >= 22). A program added to idl/ is picked up without editing this file.
//
// Anchor 1.2's IDL cannot say two things the generated clients need, so
// visitors add them before rendering:
// - the `event_authority` account of every `emit_cpi!` instruction is the
//   PDA ["__event_authority"] of the program, and its `program` account is the
//   program itself (the IDL gives neither an address nor seeds);
// - seeds that are Rust expressions (`&[purpose as u8]`,
//   `&origin.to_le_bytes()`) are left out of the IDL: the PDAs that use them
//   are declared below from programs/*/src/pda.rs, so the generated
//   `find*Pda` helpers exist for them too.
//
// Run: npm run generate. CI regenerates and fails on `git diff --exit-code`.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addPdasVisitor,
  constantPdaSeedNodeFromString,
  createFromRoot,
  numberTypeNode,
  pdaValueNode,
  programIdValueNode,
  publicKeyTypeNode,
  setInstructionAccountDefaultValuesVisitor,
  variablePdaSeedNode,
} from 'codama';
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';

const here = dirname(fileURLToPath(import.meta.url));
const idlDir = join(here, '..', '..', '..', 'idl');
const outDir = join(here, '..', 'src', 'generated');

const EVENT_AUTHORITY_SEED = '__event_authority';

// PDAs whose seeds the IDL cannot carry (expressions), by program name, as
// written in programs/<program>/src/pda.rs.
const expressionPdas = {
  consent: [
    {
      name: 'consent',
      docs: ['["consent", patient authority, grantee authority, purpose as u8] (programs/consent/src/pda.rs)'],
      seeds: [
        constantPdaSeedNodeFromString('utf8', 'consent'),
        variablePdaSeedNode('patientAuthority', publicKeyTypeNode()),
        variablePdaSeedNode('grantee', publicKeyTypeNode()),
        variablePdaSeedNode('purpose', numberTypeNode('u8'), 'The purpose enum discriminant'),
      ],
    },
  ],
  claims: [
    {
      name: 'claimedRecord',
      docs: ['["claimed_record", policy, origin serial as u64 LE] (programs/claims/src/pda.rs)'],
      seeds: [
        constantPdaSeedNodeFromString('utf8', 'claimed_record'),
        variablePdaSeedNode('policy', publicKeyTypeNode()),
        variablePdaSeedNode('origin', numberTypeNode('u64')),
      ],
    },
  ],
};

const idls = readdirSync(idlDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
if (idls.length === 0) throw new Error(`no IDL in ${idlDir}`);

rmSync(outDir, { recursive: true, force: true });
for (const file of idls) {
  const idl = JSON.parse(readFileSync(join(idlDir, file), 'utf8'));
  const name = idl.metadata?.name ?? basename(file, '.json');
  const codama = createFromRoot(rootNodeFromAnchor(idl));
  const programName = codama.getRoot().program.name;
  const existing = new Set(codama.getRoot().program.pdas.map((p) => p.name));
  const pdas = [
    { name: 'eventAuthority', docs: ['The emit_cpi! event authority'], seeds: [constantPdaSeedNodeFromString('utf8', EVENT_AUTHORITY_SEED)] },
    ...(expressionPdas[name] ?? []),
  ].filter((p) => !existing.has(p.name));
  codama.update(addPdasVisitor({ [programName]: pdas }));
  codama.update(
    setInstructionAccountDefaultValuesVisitor([
      { account: 'eventAuthority', ignoreIfOptional: true, defaultValue: pdaValueNode('eventAuthority') },
      { account: 'program', ignoreIfOptional: true, defaultValue: programIdValueNode() },
    ]),
  );
  await codama.accept(
    renderVisitor(join(outDir, name), {
      deleteFolderBeforeRendering: true,
      formatCode: true,
      generatedFolder: '.',
      syncPackageJson: false,
    }),
  );
  addImportExtensions(join(outDir, name));
  console.log(`generated src/generated/${name} from idl/${file}`);
}

// Codama writes extensionless relative imports (for bundlers); Node's ESM
// loader and TypeScript's NodeNext resolution need the file: './x' becomes
// './x.js', a folder './y' becomes './y/index.js'. Valid for bundlers too.
function addImportExtensions(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      addImportExtensions(path);
      continue;
    }
    if (!path.endsWith('.ts')) continue;
    const source = readFileSync(path, 'utf8');
    const fixed = source.replace(/(from\s+["'])(\.{1,2}\/[^"']*|\.{1,2})(["'])/g, (_, open, spec, close) => {
      if (spec.endsWith('.js')) return open + spec + close;
      const target = resolve(dirname(path), spec);
      const file = existsSync(target) && statSync(target).isDirectory() ? `${spec}/index.js` : `${spec}.js`;
      return open + file + close;
    });
    if (fixed !== source) writeFileSync(path, fixed);
  }
}
