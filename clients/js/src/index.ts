/**
 * @panacea/client: TypeScript client for the Panacea programs.
 *
 * - `records`, `consent`, `claims`, `bounties`: the Codama-generated @solana/kit clients
 *   (instruction builders, account codecs, PDAs, errors, event codecs),
 *   regenerated from idl/*.json by `npm run generate`;
 * - PDAs the IDL cannot carry (`recordsPdas`, `consentPdas`, `claimsPdas`,
 *   `bountiesPdas`);
 * - event decoding from self-CPI inner instructions;
 * - consent message v3, the wallet's signMessage flow and the relayed
 *   instructions;
 * - record encryption, key wrapping and commitments compatible with the
 *   Rust SDK.
 */
export * from './generated/index.js';
export * from './pdas.js';
export * from './events.js';
export * from './errors.js';
export * from './consent.js';
export * as offchain from './offchain.js';
export * from './patient.js';
