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
// - Codama does not render events (Anchor's emit_cpi! events travel as
//   self-CPI inner instructions): each event's struct is added as a defined
//   type, so its codec is generated, and events.ts lists every event's name,
//   8-byte discriminator and decoder for src/events.ts to dispatch on.
//
// - an account's struct used as a field of an argument or an event (a
//   compressed record travels as a `Record` value in `LeafProof` and in the
//   `CompressedRecordWritten` event) has no codec of its own in Codama (the
//   account's codec includes its discriminator): a copy of the struct is added
//   as the defined type `<Account>Fields` and those fields point at it.
//
// - authority-mode defaults (issue 17, staff members): the seeds of an
//   entity's accounts now follow account data (`<entity>.authority`,
//   `claim.provider`), not the signer, because a member may sign for the
//   entity. Codama cannot derive those, so `authorityDefaults` below puts
//   back the defaults derived from the signer (slot 0), which are right when
//   the entity's authority signs, as before. A member passes these accounts
//   explicitly, derived from the entity's authority, and its `Member` account
//   (then the `Entity` account where the instruction has none) first in
//   `remainingAccounts`.
//
// Run: npm run generate. CI regenerates and fails on `git diff --exit-code`.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accountValueNode,
  addPdasVisitor,
  constantPdaSeedNodeFromString,
  camelCase,
  createFromRoot,
  definedTypeNode,
  pascalCase,
  snakeCase,
  numberTypeNode,
  pdaNode,
  pdaSeedValueNode,
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
  bounties: [
    {
      name: 'contribution',
      docs: ['["contribution", bounty, patient wallet, origin serial as u64 LE] (programs/bounties/src/pda.rs)'],
      seeds: [
        constantPdaSeedNodeFromString('utf8', 'contribution'),
        variablePdaSeedNode('bounty', publicKeyTypeNode()),
        variablePdaSeedNode('patient', publicKeyTypeNode()),
        variablePdaSeedNode('origin', numberTypeNode('u64')),
      ],
    },
  ],
};

// Authority-mode defaults, by program: the PDAs (as the IDL had them before
// their seeds followed account data) and, per instruction, the account they
// default and which accounts fill their seeds (derived from the signer).
const entityPda = (name, signer) => ({
  name,
  docs: [`["entity", ${signer}]: the entity whose authority signs (authority mode; programs/records/src/pda.rs)`],
  seeds: [constantPdaSeedNodeFromString('utf8', 'entity'), variablePdaSeedNode(signer, publicKeyTypeNode())],
});
const authorityDefaults = {
  records: {
    pdas: [
      entityPda('issuerEntity', 'issuer'),
      entityPda('providerEntity', 'provider'),
      entityPda('requesterEntity', 'requester'),
      {
        name: 'careLink',
        docs: ['["grant", patient authority, issuer, patient profile]: the care link to the signing issuer (authority mode)'],
        seeds: [
          constantPdaSeedNodeFromString('utf8', 'grant'),
          variablePdaSeedNode('patientAuthority', publicKeyTypeNode()),
          variablePdaSeedNode('issuer', publicKeyTypeNode()),
          variablePdaSeedNode('patient', publicKeyTypeNode()),
        ],
      },
    ],
    defaults: [
      ...['issueRecord', 'issueCompressedRecord', 'amendRecord', 'amendCompressedRecord', 'retractRecord', 'retractCompressedRecord'].map(
        (instruction) => ({ instruction, account: 'issuerEntity', pda: 'issuerEntity', seeds: ['issuer'] }),
      ),
      ...['issueRecord', 'issueCompressedRecord'].map((instruction) => ({
        instruction,
        account: 'careLink',
        pda: 'careLink',
        seeds: ['patientAuthority', 'issuer', 'patient'],
      })),
      { instruction: 'emergencyAccess', account: 'providerEntity', pda: 'providerEntity', seeds: ['provider'] },
      { instruction: 'requestAccess', account: 'requesterEntity', pda: 'requesterEntity', seeds: ['requester'] },
    ],
  },
  claims: {
    pdas: [
      {
        name: 'providerUsage',
        docs: ['["provider_usage", policy, provider]: the signing provider\'s usage of a policy (authority mode; programs/claims/src/pda.rs)'],
        seeds: [
          constantPdaSeedNodeFromString('utf8', 'provider_usage'),
          variablePdaSeedNode('policy', publicKeyTypeNode()),
          variablePdaSeedNode('provider', publicKeyTypeNode()),
        ],
      },
    ],
    defaults: [
      { instruction: 'submitClaim', account: 'providerUsage', pda: 'providerUsage', seeds: ['policy', 'provider'] },
      // The records program's Entity of the claim's provider (the signer).
      {
        instruction: 'reinstateClaim',
        account: 'providerEntity',
        pda: pdaNode({
          name: 'providerEntity',
          programId: JSON.parse(readFileSync(join(idlDir, 'records.json'), 'utf8')).address,
          seeds: [constantPdaSeedNodeFromString('utf8', 'entity'), variablePdaSeedNode('provider', publicKeyTypeNode())],
        }),
        seeds: ['provider'],
      },
    ],
  },
};

const idls = readdirSync(idlDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
if (idls.length === 0) throw new Error(`no IDL in ${idlDir}`);

rmSync(outDir, { recursive: true, force: true });
const programs = [];
for (const file of idls) {
  const idl = accountStructsAsFields(JSON.parse(readFileSync(join(idlDir, file), 'utf8')));
  const name = idl.metadata?.name ?? basename(file, '.json');
  const root = rootNodeFromAnchor(idl);
  const events = root.program.events.map(eventStruct);
  const codama = createFromRoot({
    ...root,
    program: {
      ...root.program,
      definedTypes: [
        ...root.program.definedTypes,
        ...events.map((e) => definedTypeNode({ name: e.name, type: e.type, docs: [`Event ${e.name} (emit_cpi!)`] })),
      ],
    },
  });
  const programName = codama.getRoot().program.name;
  programs.push({ folder: name, name: programName });
  const existing = new Set(codama.getRoot().program.pdas.map((p) => p.name));
  const pdas = [
    { name: 'eventAuthority', docs: ['The emit_cpi! event authority'], seeds: [constantPdaSeedNodeFromString('utf8', EVENT_AUTHORITY_SEED)] },
    ...(expressionPdas[name] ?? []),
  ].filter((p) => !existing.has(p.name));
  const authority = authorityDefaults[name] ?? { pdas: [], defaults: [] };
  codama.update(
    addPdasVisitor({ [programName]: [...pdas, ...authority.pdas.filter((p) => !existing.has(p.name))] }),
  );
  codama.update(
    setInstructionAccountDefaultValuesVisitor([
      { account: 'eventAuthority', ignoreIfOptional: true, defaultValue: pdaValueNode('eventAuthority') },
      { account: 'program', ignoreIfOptional: true, defaultValue: programIdValueNode() },
      ...authority.defaults.map(({ instruction, account, pda, seeds }) => ({
        instruction,
        account,
        ignoreIfOptional: true,
        defaultValue: pdaValueNode(
          pda,
          seeds.map((seed) => pdaSeedValueNode(seed, accountValueNode(seed))),
        ),
      })),
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
  writeEventTable(join(outDir, name), programName, events);
  addImportExtensions(join(outDir, name));
  console.log(`generated src/generated/${name} from idl/${file}`);
}
writeProgramIndex(programs);

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

// Points every `{ defined: { name: <Account> } }` outside the account's own
// definition at a copy of the account's struct named `<Account>Fields`.
function accountStructsAsFields(idl) {
  const accounts = new Set((idl.accounts ?? []).map((a) => a.name));
  const used = new Set();
  const relink = (value) => {
    if (Array.isArray(value)) return value.map(relink);
    if (value === null || typeof value !== 'object') return value;
    if (value.defined && accounts.has(value.defined.name)) {
      used.add(value.defined.name);
      return { ...value, defined: { ...value.defined, name: `${value.defined.name}Fields` } };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relink(v)]));
  };
  const types = (idl.types ?? []).map((t) => (accounts.has(t.name) ? t : relink(t)));
  const instructions = (idl.instructions ?? []).map((ix) => ({ ...ix, args: relink(ix.args) }));
  const copies = types
    .filter((t) => used.has(t.name))
    .map((t) => ({ ...t, name: `${t.name}Fields`, docs: [`The fields of the ${t.name} account, as a value.`, ...(t.docs ?? [])] }));
  return { ...idl, instructions, types: [...types, ...copies] };
}

// The struct and discriminator of an Anchor event node (the discriminator is
// the hidden 8-byte prefix nodes-from-anchor puts in front of the struct).
function eventStruct(event) {
  const data = event.data;
  if (data.kind !== 'hiddenPrefixTypeNode' || data.prefix.length !== 1) {
    throw new Error(`event ${event.name}: expected an 8-byte discriminator prefix, got ${data.kind}`);
  }
  const value = data.prefix[0].value;
  if (value.kind !== 'bytesValueNode' || value.encoding !== 'base16' || value.data.length !== 16) {
    throw new Error(`event ${event.name}: unexpected discriminator ${JSON.stringify(value)}`);
  }
  const discriminator = value.data.match(/../g).map((h) => parseInt(h, 16));
  return { name: event.name, type: data.type, discriminator };
}

function pascal(name) {
  return pascalCase(name);
}

// src/generated/index.ts: every program's client as a namespace, and the
// tables the hand-written layer dispatches on (events, errors), so a program
// added to idl/ is exported, and its events and errors decoded, without
// editing src/.
function writeProgramIndex(programs) {
  const lines = [
    '/**',
    ' * This code was generated by scripts/generate.mjs from idl/*.json.',
    ' * Do not edit it by hand: run `npm run generate`.',
    ' */',
    '',
    'import type { Address } from "@solana/kit";',
  ];
  for (const p of programs) {
    const P = pascalCase(p.name);
    const C = snakeCase(p.name).toUpperCase();
    lines.push(
      `import { ${C}_EVENTS, ${C}_PROGRAM_ADDRESS, get${P}ErrorMessage, type ${P}Error, type ${P}Event } from "./${p.folder}/index.js";`,
    );
  }
  lines.push('');
  for (const p of programs) lines.push(`export * as ${camelCase(p.name)} from "./${p.folder}/index.js";`);
  lines.push('', '/** The programs, by name. */', `export type ProgramName = ${programs.map((p) => `"${camelCase(p.name)}"`).join(' | ')};`);
  lines.push('', '/** A decoded event, with the program that emitted it. */', 'export type ProgramEvent =');
  programs.forEach((p, i) =>
    lines.push(`  | ({ program: "${camelCase(p.name)}"; programAddress: Address } & ${pascalCase(p.name)}Event)${i === programs.length - 1 ? ';' : ''}`),
  );
  lines.push('', '/** A custom error of a program, with its generated code and message. */', 'export type ProgramError =');
  programs.forEach((p, i) =>
    lines.push(
      `  | { program: "${camelCase(p.name)}"; code: ${pascalCase(p.name)}Error; message: string; instructionIndex: number }${i === programs.length - 1 ? ';' : ''}`,
    ),
  );
  lines.push(
    '',
    '/** Each program\'s address, events (name, discriminator, decoder) and error messages. */',
    'export const PROGRAMS = [',
  );
  for (const p of programs) {
    const P = pascalCase(p.name);
    const C = snakeCase(p.name).toUpperCase();
    lines.push(
      `  { program: "${camelCase(p.name)}", address: ${C}_PROGRAM_ADDRESS, events: ${C}_EVENTS, errorMessage: (code: number): string => get${P}ErrorMessage(code as ${P}Error) },`,
    );
  }
  lines.push('] as const;', '');
  writeFileSync(join(outDir, 'index.ts'), lines.join('\n'));
}

// src/generated/<program>/events.ts: the program's events, for decoding
// self-CPI event instructions (see src/events.ts).
function writeEventTable(dir, program, events) {
  const P = pascal(program);
  const lines = [
    '/**',
    ' * This code was generated by scripts/generate.mjs from the Anchor IDL.',
    ' * Do not edit it by hand: run `npm run generate`.',
    ' */',
    '',
    'import type { Decoder } from "@solana/kit";',
  ];
  if (events.length > 0) {
    lines.push('import {');
    for (const e of events) lines.push(`  get${pascal(e.name)}Decoder,`, `  type ${pascal(e.name)},`);
    lines.push('} from "./types";');
  }
  lines.push('', `/** Every event of the ${program} program, by name. */`, `export type ${P}Event =`);
  if (events.length === 0) lines.push('  never;');
  events.forEach((e, i) =>
    lines.push(`  | { name: "${e.name}"; data: ${pascal(e.name)} }${i === events.length - 1 ? ';' : ''}`),
  );
  lines.push(
    '',
    `/** Name, Anchor discriminator (sha256("event:<Name>")[..8]) and decoder of each ${program} event. */`,
    `export const ${snakeCase(program).toUpperCase()}_EVENTS: ReadonlyArray<{`,
    '  name: string;',
    '  discriminator: Uint8Array;',
    '  decoder: Decoder<unknown>;',
    '}> = [',
  );
  for (const e of events) {
    lines.push(
      `  { name: "${e.name}", discriminator: new Uint8Array([${e.discriminator.join(', ')}]), decoder: get${pascal(e.name)}Decoder() },`,
    );
  }
  lines.push('];', '');
  writeFileSync(join(dir, 'events.ts'), lines.join('\n'));
  const index = join(dir, 'index.ts');
  writeFileSync(index, readFileSync(index, 'utf8') + 'export * from "./events";\n');
}
