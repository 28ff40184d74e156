// SPDX-License-Identifier: Apache-2.0
// `cerro-torre trust show | add-key | add-log | revoke-key | sign-update | update` (02 §9).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError, formatRfc3339Utc, parseRfc3339, type Problem } from '@verified-container/shared';
import {
  TRUST_STORE_UPDATERS,
  keyStatusAt,
  type KeyStatus,
} from '@verified-container/shared/attestation';
import {
  parsePublicKeyPem,
  publicKeyFromBase64,
  publicKeyToBase64,
  type Ed25519PublicKey,
} from '@verified-container/shared/crypto';
import type { JsonValue } from '@verified-container/shared/json';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile } from '../io/files.js';
import { fileLogDir } from '../publish/configured-logs.js';
import {
  editTrustStore,
  readTrustStoreFile,
  trustStorePath,
  type EditedTrustStore,
} from '../signing/edit-trust-store.js';
import { readPrivateKeyInteractive } from '../signing/passphrase.js';
import {
  applyTrustStoreUpdate,
  isUpdaterKey,
  signTrustStoreUpdate,
} from '../signing/trust-update.js';

const TRUST_STORE_OPTION = [
  '--trust-store <file>',
  'the trust store (default $VC_TRUST_STORE, else $VC_ROOT/keys/trust-store.json)',
] as const;

const EDIT_EXIT = `
Each edit bumps serial, sets updated to now, validates the result and writes it atomically; an
edit that would make the store invalid writes nothing.

Exit status: 0 written; 1 the change conflicts with the store (TRUST_STORE_CONFLICT);
2 usage, unreadable or invalid trust store or key (TRUST_STORE_INVALID, READ_FAILED, KEY_*).`;

interface ShowFlags {
  trustStore?: string;
  json?: boolean;
}
interface AddKeyFlags {
  role: string;
  publicKey: string;
  owner: string;
  validFrom?: string;
  validUntil?: string;
  description?: string;
  trustStore?: string;
  json?: boolean;
}
interface AddLogFlags {
  id: string;
  url: string;
  publicKey: string;
  operator: string;
  trustStore?: string;
  json?: boolean;
}
interface RevokeFlags {
  at?: string;
  trustStore?: string;
  json?: boolean;
}
interface SignUpdateFlags {
  input: string;
  key: string;
  envelope?: string;
  passphraseFile?: string;
  trustStore?: string;
  json?: boolean;
}
interface UpdateFlags {
  envelope: string;
  trustStore?: string;
  json?: boolean;
}

/** Adds the subcommands after `init` to `trust`. */
export function addTrustEditCommands(trust: Command, deps: CliDeps, box: ResultBox): void {
  trust.addCommand(
    newCommand('show', 'summarise a trust store: keys, groups, logs')
      .option(...TRUST_STORE_OPTION)
      .option('--json', 'print the summary as one JSON document')
      .addHelpText(
        'after',
        `
Prints id, serial, profile, digest (sha256 of the file bytes), every key (role, owner, key id,
validity and its status now), threshold groups and logs. Human output is a table on stdout.

Exit status: 0 shown; 2 the trust store is missing, unreadable or invalid.`,
      )
      .action(action(box, 'builder', async (flags: ShowFlags) => showTrustStore(flags, deps))),
  );
  trust.addCommand(
    newCommand('add-key', 'add a public key to a role of the local trust store')
      .requiredOption('--role <role>', 'role, e.g. releasers or trust-store-updaters')
      .requiredOption('--public-key <file>', 'SPKI PEM (or base64 SPKI) of the key')
      .requiredOption('--owner <name>', 'keyholder name (metadata.owner)')
      .option('--valid-from <time>', 'RFC 3339 time (default now)')
      .option('--valid-until <time>', 'RFC 3339 time, later than --valid-from')
      .option('--description <text>', 'metadata.description')
      .option(...TRUST_STORE_OPTION)
      .option('--json', 'print the result as JSON (the default output)')
      .addHelpText('after', EDIT_EXIT)
      .action(action(box, 'builder', async (flags: AddKeyFlags) => addKey(flags, deps))),
  );
  trust.addCommand(
    newCommand('add-log', 'add a transparency log to the local trust store')
      .requiredOption('--id <logId>', 'log id')
      .requiredOption(
        '--url <url>',
        'https:, http: or file: URL (a relative file: path is made absolute)',
      )
      .requiredOption('--public-key <file>', "SPKI PEM (or base64 SPKI) of the log's key")
      .requiredOption('--operator <name>', 'who runs the log')
      .option(...TRUST_STORE_OPTION)
      .option('--json', 'print the result as JSON (the default output)')
      .addHelpText('after', EDIT_EXIT)
      .action(action(box, 'builder', async (flags: AddLogFlags) => addLog(flags, deps))),
  );
  trust.addCommand(
    newCommand('revoke-key', 'mark a key revoked in every role of the local trust store')
      .argument('<keyid>', 'the key id (sha256:…) as the trust store names it')
      .option('--at <time>', 'RFC 3339 revocation time (default now)')
      .option(...TRUST_STORE_OPTION)
      .option('--json', 'print the result as JSON (the default output)')
      .addHelpText(
        'after',
        `
Sets revokedAt on every entry of the key; verifiers then reject every signature by it, whatever
its time (04 §3). A key already revoked keeps its earlier time; revoking it again changes nothing.
${EDIT_EXIT}`,
      )
      .action(
        action(box, 'builder', async (keyId: string, flags: RevokeFlags) =>
          revokeKey(keyId, flags, deps),
        ),
      ),
  );
  trust.addCommand(
    newCommand('sign-update', 'sign a new trust store as an update of the current one')
      .requiredOption('--input <file>', 'the new trust store (NEW.json)')
      .requiredOption('--key <file>', 'Ed25519 private key of a trust-store updater')
      .option('--envelope <file>', 'the update envelope (default NEW.json.update.json)')
      .option('--passphrase-file <file>', 'passphrase of an encrypted key (first line)')
      .option(...TRUST_STORE_OPTION)
      .option('--json', 'print the result as JSON (the default output)')
      .addHelpText(
        'after',
        `
Writes a DSSE envelope with payloadType application/vnd.verified-container.trust-store+json whose
payload is the JCS of the new store, signed by --key; when the envelope exists (same payload) one
signature is added, so k updaters can sign one after another. The new store must validate. A key
that is not a trust-store updater of the current store gets a warning.
Prints {"envelope","keyid","added","signatures","id","serial"}.

Exit status: 0 signed (or already signed by this key); 2 usage, unreadable or invalid new store,
unreadable key, KEY_PASSPHRASE_REQUIRED / KEY_PASSPHRASE_INVALID.`,
      )
      .action(action(box, 'builder', async (flags: SignUpdateFlags) => signUpdate(flags, deps))),
  );
  trust.addCommand(
    newCommand('update', 'apply a signed trust-store update to the local trust store')
      .requiredOption('--envelope <file>', 'the update envelope written by trust sign-update')
      .option(...TRUST_STORE_OPTION)
      .option('--json', 'print the result as JSON (the default output)')
      .addHelpText(
        'after',
        `
Accepted only if the new store validates, keeps the id, has a greater serial and a later updated
time, no signature by a key of the current store fails, and at least k distinct keys of the
current store's trust-store-updaters (k of its trust-store-updaters group, else 1), valid now,
signed it. The previous file is kept as <file>.serial-<n>; the new one replaces it atomically.
Prints {"updated":true,"serial":n}.

Exit status: 0 applied; 1 TRUST_UPDATE_REJECTED (the reason is named; nothing changed);
2 usage, unreadable envelope, missing or invalid current trust store.`,
      )
      .action(action(box, 'builder', async (flags: UpdateFlags) => updateTrust(flags, deps))),
  );
}

/** One key of `trust show`. */
export interface ShownKey {
  readonly role: string;
  readonly owner: string | null;
  readonly id: string;
  readonly validFrom: string;
  readonly validUntil?: string;
  readonly revokedAt?: string;
  readonly status: KeyStatus;
}

export async function showTrustStore(flags: ShowFlags, deps: CliDeps): Promise<CommandResult> {
  const file = await readTrustStoreFile(trustStorePath(flags.trustStore, deps));
  const { store } = file;
  const now = deps.clock.now();
  const keys: ShownKey[] = Object.entries(store.keys).flatMap(([role, entries]) =>
    entries.map((k) => ({
      role,
      owner: k.metadata?.owner ?? null,
      id: k.id,
      validFrom: k.validFrom,
      ...(k.validUntil !== undefined ? { validUntil: k.validUntil } : {}),
      ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}),
      status: keyStatusAt(k, now),
    })),
  );
  const groups = Object.entries(store.thresholds).map(([name, g]) => ({
    name,
    k: g.k,
    n: g.n,
    algorithm: g.algorithm,
    members: g.members,
  }));
  const logs = Object.entries(store.logs).map(([id, l]) => ({
    id,
    operator: l.operator,
    url: l.url,
  }));
  const summary = {
    path: file.path,
    id: store.id,
    serial: store.serial,
    profile: file.profile,
    updated: store.updated,
    digest: file.digest,
    keys,
    groups,
    logs,
    revocations: store.revocations?.length ?? 0,
  };
  const stderr = warningLines(file.warnings);
  if (flags.json === true) return { exitCode: 0, stdout: jsonLine(summary), stderr };
  const owners = new Map(keys.map((k) => [k.id, k.owner ?? k.id]));
  const lines = [
    `trust store ${store.id}  serial ${store.serial}  ${file.profile}  updated ${store.updated}`,
    `path    ${file.path}`,
    `digest  ${file.digest}`,
    'keys:',
    ...table(
      keys.map((k) => [
        k.role,
        k.owner ?? '-',
        k.id,
        k.validUntil !== undefined ? `${k.validFrom} .. ${k.validUntil}` : `from ${k.validFrom}`,
        k.revokedAt !== undefined ? `revoked ${k.revokedAt}` : k.status,
      ]),
    ),
    'groups:',
    ...table(
      groups.map((g) => [
        g.name,
        `${g.k}-of-${g.n}`,
        g.algorithm,
        g.members.map((m) => owners.get(m) ?? m).join(', '),
      ]),
    ),
    'logs:',
    ...table(logs.map((l) => [l.id, l.operator, l.url])),
    ...(summary.revocations > 0 ? [`revocations: ${summary.revocations}`] : []),
  ];
  return { exitCode: 0, stdout: `${lines.join('\n')}\n`, stderr };
}

/** Aligned columns, two spaces apart, indented by two; `  (none)` for no rows. */
function table(rows: readonly string[][]): string[] {
  if (rows.length === 0) return ['  (none)'];
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

async function addKey(flags: AddKeyFlags, deps: CliDeps): Promise<CommandResult> {
  const file = await readTrustStoreFile(trustStorePath(flags.trustStore, deps));
  const publicKey = await readPublicKeyArg(resolve(deps.cwd, flags.publicKey));
  const now = deps.clock.now();
  const validFrom =
    flags.validFrom !== undefined
      ? timeFlag('--valid-from', flags.validFrom)
      : formatRfc3339Utc(now);
  const validUntil =
    flags.validUntil !== undefined ? timeFlag('--valid-until', flags.validUntil) : undefined;
  if (!/^[a-z][a-z0-9-]*$/.test(flags.role)) {
    throw new VcError('USAGE', `--role ${JSON.stringify(flags.role)} must match ^[a-z][a-z0-9-]*$`);
  }
  if (flags.owner === '') throw new VcError('USAGE', '--owner must not be empty');
  const existing = file.store.keys[flags.role]?.find((k) => k.id === publicKey.keyId);
  if (existing !== undefined) {
    throw new VcError(
      'TRUST_STORE_CONFLICT',
      `${file.path}: role ${flags.role} already holds the key ${publicKey.keyId}`,
      { hint: 'to change its validity, revoke it or edit the file and sign an update' },
    );
  }
  const entry: Record<string, JsonValue> = {
    id: publicKey.keyId,
    algorithm: 'ed25519',
    publicKey: publicKeyToBase64(publicKey),
    validFrom,
    ...(validUntil !== undefined ? { validUntil } : {}),
    metadata: {
      owner: flags.owner,
      ...(flags.description !== undefined ? { description: flags.description } : {}),
    },
  };
  const edited = await editTrustStore(file, now, (doc) => {
    const keys = doc['keys'] as Record<string, JsonValue[]>;
    (keys[flags.role] ??= []).push(entry);
  });
  return editResult(edited, `Added ${flags.owner}'s key ${publicKey.keyId} to role ${flags.role}`, {
    keyid: publicKey.keyId,
    role: flags.role,
  });
}

async function addLog(flags: AddLogFlags, deps: CliDeps): Promise<CommandResult> {
  const file = await readTrustStoreFile(trustStorePath(flags.trustStore, deps));
  const publicKey = await readPublicKeyArg(resolve(deps.cwd, flags.publicKey));
  if (Object.hasOwn(file.store.logs, flags.id)) {
    throw new VcError('TRUST_STORE_CONFLICT', `${file.path}: there is already a log ${flags.id}`, {
      hint: 'choose another --id',
    });
  }
  // like trust init: a file: log is written absolute, so the store means the same from anywhere
  const url = flags.url.startsWith('file:') ? `file:${fileLogDir(flags.url, deps.cwd)}` : flags.url;
  const edited = await editTrustStore(file, deps.clock.now(), (doc) => {
    const logs = doc['logs'] as Record<string, JsonValue>;
    logs[flags.id] = {
      operator: flags.operator,
      publicKey: publicKeyToBase64(publicKey),
      url,
      algorithm: 'ed25519',
    };
  });
  return editResult(edited, `Added log ${flags.id} (${url})`, { logId: flags.id, url });
}

async function revokeKey(keyId: string, flags: RevokeFlags, deps: CliDeps): Promise<CommandResult> {
  const file = await readTrustStoreFile(trustStorePath(flags.trustStore, deps));
  const now = deps.clock.now();
  const at = flags.at !== undefined ? timeFlag('--at', flags.at) : formatRfc3339Utc(now);
  const entries = Object.values(file.store.keys).flatMap((keys) =>
    keys.filter((k) => k.id === keyId),
  );
  if (entries.length === 0) {
    throw new VcError('KEY_NOT_FOUND', `${file.path} has no key ${keyId}`, {
      hint: 'see cerro-torre trust show for the key ids',
    });
  }
  const atMs = parseRfc3339(at) ?? 0;
  const needed = entries.some(
    (k) => k.revokedAt === undefined || (parseRfc3339(k.revokedAt) ?? 0) > atMs,
  );
  if (!needed) {
    const result = { path: file.path, changed: false, keyid: keyId, serial: file.store.serial };
    return {
      exitCode: 0,
      stdout: jsonLine(result),
      stderr: `Key ${keyId} is already revoked (no change)\n`,
    };
  }
  const edited = await editTrustStore(file, now, (doc) => {
    for (const keys of Object.values(doc['keys'] as Record<string, Record<string, JsonValue>[]>)) {
      for (const key of keys) {
        if (key['id'] !== keyId) continue;
        const earlier =
          typeof key['revokedAt'] === 'string' &&
          (parseRfc3339(key['revokedAt']) ?? Infinity) <= atMs;
        if (!earlier) key['revokedAt'] = at;
      }
    }
  });
  return editResult(edited, `Revoked key ${keyId} at ${at}`, { keyid: keyId, revokedAt: at });
}

async function signUpdate(flags: SignUpdateFlags, deps: CliDeps): Promise<CommandResult> {
  const input = resolve(deps.cwd, flags.input);
  const envelope = resolve(deps.cwd, flags.envelope ?? `${flags.input}.update.json`);
  const warnings: string[] = [];
  const key = await readPrivateKeyInteractive(
    resolve(deps.cwd, flags.key),
    {
      env: deps.env,
      cwd: deps.cwd,
      interactive: deps.interactive,
      ...(flags.passphraseFile !== undefined ? { passphraseFile: flags.passphraseFile } : {}),
    },
    warnings,
  );
  const result = await signTrustStoreUpdate(input, envelope, key);
  // advice only: the current store may be elsewhere, or not exist on the signer's machine
  try {
    const current = await readTrustStoreFile(trustStorePath(flags.trustStore, deps));
    if (!isUpdaterKey(current.store, key.publicKey.keyId)) {
      warnings.push(
        `warning: ${key.publicKey.keyId} is not a ${TRUST_STORE_UPDATERS} key of ${current.path}; its signature will not count`,
      );
    }
    if (current.store.id !== result.id) {
      warnings.push(
        `warning: the new store's id ${result.id} is not ${current.store.id}; the update will be rejected`,
      );
    } else if (result.serial <= current.store.serial) {
      warnings.push(
        `warning: serial ${result.serial} is not greater than ${current.store.serial}; the update will be rejected`,
      );
    }
  } catch {
    // no readable current store here
  }
  const human = [
    ...warnings,
    result.added
      ? `Signed the update of ${result.id} to serial ${result.serial} with ${result.keyid} (${result.signatures} ${result.signatures === 1 ? 'signature' : 'signatures'})`
      : `${result.keyid} already signed ${envelope} (no change)`,
    `envelope: ${envelope}`,
  ];
  return {
    exitCode: 0,
    stdout: jsonLine({
      envelope,
      keyid: result.keyid,
      added: result.added,
      signatures: result.signatures,
      id: result.id,
      serial: result.serial,
    }),
    stderr: `${human.join('\n')}\n`,
  };
}

async function updateTrust(flags: UpdateFlags, deps: CliDeps): Promise<CommandResult> {
  const applied = await applyTrustStoreUpdate(
    trustStorePath(flags.trustStore, deps),
    resolve(deps.cwd, flags.envelope),
    deps.clock.now(),
  );
  const human = [
    ...warningLines(applied.warnings).split('\n').filter(Boolean),
    `Updated trust store ${applied.id} from serial ${applied.previousSerial} to ${applied.serial} (${applied.signers.length} of ${applied.required} required updater signatures)`,
    `previous file kept as ${applied.backup}`,
    `digest: ${applied.digest}`,
  ];
  return {
    exitCode: 0,
    stdout: jsonLine({ updated: true, serial: applied.serial }),
    stderr: `${human.join('\n')}\n`,
  };
}

function editResult(
  edited: EditedTrustStore,
  what: string,
  extra: Record<string, string>,
): CommandResult {
  const human = [
    ...warningLines(edited.warnings).split('\n').filter(Boolean),
    `${what}; ${edited.path} is now serial ${edited.serial}`,
  ];
  return {
    exitCode: 0,
    stdout: jsonLine({
      path: edited.path,
      changed: true,
      ...extra,
      serial: edited.serial,
      updated: edited.updated,
      digest: edited.digest,
    }),
    stderr: `${human.join('\n')}\n`,
  };
}

function warningLines(warnings: readonly Problem[]): string {
  return warnings.map((w) => `warning: ${w.path ?? '$'}: ${w.message}\n`).join('');
}

/** An RFC 3339 flag value, written back in UTC seconds (02 §1). */
function timeFlag(flag: string, value: string): string {
  const ms = parseRfc3339(value);
  if (ms === null) {
    throw new VcError('USAGE', `${flag} ${JSON.stringify(value)} is not an RFC 3339 time`, {
      hint: 'e.g. 2027-01-01T00:00:00Z',
    });
  }
  return formatRfc3339Utc(new Date(ms));
}

/** A public key file: SPKI PEM, else base64 of the SPKI DER (or raw 32 bytes) on one line. */
export async function readPublicKeyArg(path: string): Promise<Ed25519PublicKey> {
  const text = Buffer.from(
    await readInputFile(path, { maxBytes: 64 * 1024, what: 'public key' }),
  ).toString('utf8');
  try {
    return text.includes('-----BEGIN') ? parsePublicKeyPem(text) : publicKeyFromBase64(text.trim());
  } catch (err) {
    if (err instanceof VcError) {
      throw new VcError(err.code, `${path}: ${err.message}`, {
        cause: err,
        ...(err.hint !== undefined ? { hint: err.hint } : {}),
      });
    }
    throw err;
  }
}
