// SPDX-License-Identifier: Apache-2.0
// `cerro-torre trust …` (02 §9): create, show, edit and update trust stores.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  VcError,
  formatRfc3339Utc,
  resolveStoreRoot,
  storePaths,
} from '@verified-container/shared';
import { parseTrustStore, PRODUCTION_MIN_LOGS } from '@verified-container/shared/attestation';
import {
  parsePublicKeyPem,
  publicKeyFromBase64,
  sha256Digest,
  type Ed25519PublicKey,
} from '@verified-container/shared/crypto';
import { parseManifest, type Manifest } from '@verified-container/shared/manifest';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { ensureDirectory, pathExists, readInputFile, writeFileAtomic } from '../io/files.js';
import { fileLogDir } from '../publish/configured-logs.js';
import {
  DEFAULT_SIGNING_GROUP,
  devTrustStore,
  type TrustStoreKeyholder,
  type TrustStoreLogInput,
} from '../signing/dev-trust-store.js';
import { generateKeyFiles } from './keygen.js';
import { addTrustEditCommands } from './trust-edit.js';

interface TrustInitFlags {
  manifest?: string;
  output?: string;
  dev?: boolean;
  id?: string;
  group?: string;
  log: string[];
  updater: string[];
  force?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function makeTrustCommand(deps: CliDeps, box: ResultBox): Command {
  const trust = newCommand('trust', 'create, inspect, edit and update trust stores');
  trust.addCommand(
    newCommand('init', "write a trust store for a manifest's keyholders and logs")
      .option('--manifest <file>', 'the .ctp manifest (default: the only *.ctp here)')
      .option('-o, --output <file>', 'where to write (default $VC_ROOT/keys/trust-store.json)')
      .option('--dev', 'development profile: fewer than 3 logs allowed; keyholders may update it')
      .option('--id <id>', 'trust store id (default <package name>, or <name>-dev with --dev)')
      .option('--group <name>', 'signing group name', DEFAULT_SIGNING_GROUP)
      .option(
        '--log <name=pubkey>',
        'a log key (base64 SPKI or a PEM file); repeatable',
        collect,
        [],
      )
      .option(
        '--updater <owner>',
        'keyholder that may sign trust-store updates; repeatable',
        collect,
        [],
      )
      .option('--force', 'replace an existing trust store')
      .option('--json', 'print the summary as JSON (the default output)')
      .addHelpText(
        'after',
        `
Keys: each keyholder's $VC_ROOT/keys/<name>.pub in role releasers (with --dev a missing key pair is
created as keygen would). Group: the manifest's [attestations.signing] threshold as k-of-n over
them. Logs: [attestations.transparency].logs, each key from --log NAME=KEY, else <dir>/log.pub of a
file: log, else $VC_ROOT/logs/<name>/log.pub. The store is validated before it is written.

Exit status: 0 written; 1 the file exists (use --force) or a log key is missing; 2 usage,
unreadable manifest, fewer than 3 logs without --dev (INSUFFICIENT_LOG_OPERATORS).`,
      )
      .action(action(box, 'builder', async (flags: TrustInitFlags) => initTrustStore(flags, deps))),
  );
  addTrustEditCommands(trust, deps, box);
  return trust;
}

export async function initTrustStore(flags: TrustInitFlags, deps: CliDeps): Promise<CommandResult> {
  const root = resolveStoreRoot(deps);
  const paths = storePaths(root);
  const dev = flags.dev === true;
  const manifestPath = await findManifest(flags.manifest, deps.cwd);
  const manifest = await readManifest(manifestPath);
  const output = flags.output !== undefined ? resolve(deps.cwd, flags.output) : paths.trustStore;
  if (flags.force !== true && (await pathExists(output))) {
    throw new VcError('FILE_EXISTS', `${output} already exists`, {
      hint: 'use --force to replace it',
    });
  }
  const notes: string[] = [];
  const signing = manifest.attestations.signing;
  const keyholders: TrustStoreKeyholder[] = [];
  for (const owner of signing.keyholders) {
    const pub = join(paths.keys, `${owner}.pub`);
    if (!(await pathExists(pub))) {
      if (!dev) {
        throw new VcError('KEY_MISSING', `keyholder ${owner} has no public key ${pub}`, {
          hint: `run cerro-torre keygen --id ${owner} (or use --dev to create missing keys)`,
        });
      }
      const made = await generateKeyFiles({ id: owner, prompt: false }, deps);
      notes.push(...(made.stderr ?? '').trimEnd().split('\n'));
    }
    keyholders.push({ owner, publicKey: await readPublicKeyFile(pub) });
  }
  const logFlags = parseLogFlags(flags.log);
  const logs: TrustStoreLogInput[] = [];
  for (const log of manifest.attestations.transparency.logs) {
    logs.push({
      logId: log.name,
      operator: log.name,
      url: log.url.startsWith('file:')
        ? `file:${fileLogDir(log.url, resolve(manifestPath, '..'))}`
        : log.url,
      publicKey: await logKey(log.name, log.url, logFlags, manifestPath, paths.logs, deps.cwd),
    });
  }
  if (!dev && logs.length < PRODUCTION_MIN_LOGS) {
    throw new VcError(
      'INSUFFICIENT_LOG_OPERATORS',
      `${manifestPath} names ${logs.length} transparency logs; a production trust store needs at least ${PRODUCTION_MIN_LOGS}`,
      { hint: 'add logs to [attestations.transparency], or write a development store with --dev' },
    );
  }
  for (const u of flags.updater) {
    if (!signing.keyholders.includes(u)) {
      throw new VcError('USAGE', `--updater ${u} is not a keyholder of ${manifestPath}`);
    }
  }
  const store = devTrustStore({
    id: flags.id ?? (dev ? `${manifest.package.name}-dev` : manifest.package.name),
    now: formatRfc3339Utc(deps.clock.now()),
    dev,
    keyholders,
    ...(signing.threshold !== undefined
      ? { group: { name: flags.group ?? DEFAULT_SIGNING_GROUP, k: signing.threshold.k } }
      : {}),
    logs,
    updaters: dev ? [...new Set([...signing.keyholders, ...flags.updater])] : flags.updater,
  });
  const text = `${JSON.stringify(store, null, 2)}\n`;
  const bytes = new TextEncoder().encode(text);
  const checked = parseTrustStore(bytes, dev ? { profile: 'dev' } : {});
  const first = checked.errors[0];
  if (first !== undefined) {
    throw new VcError(
      first.code,
      `the trust store would be invalid: ${first.path ?? '$'}: ${first.message}`,
      {
        errors: checked.errors,
      },
    );
  }
  await ensureDirectory(resolve(output, '..'), flags.output === undefined ? 0o700 : 0o755);
  await writeFileAtomic(output, bytes, { mode: 0o644, exclusive: flags.force !== true });
  const groups = Object.entries(store.thresholds).map(([name, g]) => `${name} ${g.k}-of-${g.n}`);
  const summary = {
    path: output,
    id: store.id,
    digest: sha256Digest(bytes),
    profile: dev ? 'dev' : 'production',
    keys: keyholders.map((k) => ({ owner: k.owner, id: k.publicKey.keyId })),
    groups: Object.keys(store.thresholds),
    logs: logs.map((l) => l.logId),
  };
  const human = [
    ...notes,
    ...checked.warnings.map((w) => `warning: ${w.path ?? '$'}: ${w.message}`),
    `Wrote ${dev ? 'development ' : ''}trust store ${store.id} to ${output}`,
    `keys:   ${keyholders.map((k) => k.owner).join(', ') || '(none)'}`,
    `groups: ${groups.join(', ') || '(none)'}`,
    `logs:   ${logs.map((l) => l.logId).join(', ') || '(none)'}`,
  ];
  return { exitCode: 0, stdout: jsonLine(summary), stderr: `${human.join('\n')}\n` };
}

async function findManifest(flag: string | undefined, cwd: string): Promise<string> {
  if (flag !== undefined) return resolve(cwd, flag);
  const found = (await fs.readdir(cwd)).filter((n) => n.endsWith('.ctp'));
  if (found.length !== 1 || found[0] === undefined) {
    throw new VcError(
      'USAGE',
      `found ${found.length} *.ctp files in ${cwd}; name one with --manifest`,
    );
  }
  return join(cwd, found[0]);
}

async function readManifest(path: string): Promise<Manifest> {
  const result = parseManifest(await readInputFile(path, { what: 'manifest' }), { source: path });
  if (result.manifest === undefined) {
    const first = result.diagnostics.find((d) => d.severity === 'error');
    throw new VcError(
      first?.code ?? 'MANIFEST_INVALID',
      `${path}: ${first?.message ?? 'invalid manifest'}`,
      {
        hint: `run cerro-torre validate ${path}`,
      },
    );
  }
  return result.manifest;
}

function parseLogFlags(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) {
      throw new VcError('USAGE', `--log ${JSON.stringify(v)} must be NAME=PUBKEY`);
    }
    out.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return out;
}

/** `--log` (base64 SPKI, else a PEM file), else `<dir>/log.pub` of a `file:` log, else `$VC_ROOT/logs/<name>/log.pub`. */
async function logKey(
  name: string,
  url: string,
  flags: Map<string, string>,
  manifestPath: string,
  logsDir: string,
  cwd: string,
): Promise<Ed25519PublicKey> {
  const given = flags.get(name);
  if (given !== undefined) {
    if (/^[A-Za-z0-9+/]+=*$/.test(given) && !(await pathExists(resolve(cwd, given)))) {
      return publicKeyFromBase64(given);
    }
    return readPublicKeyFile(resolve(cwd, given));
  }
  const candidates = [
    ...(url.startsWith('file:')
      ? [join(fileLogDir(url, resolve(manifestPath, '..')), 'log.pub')]
      : []),
    join(logsDir, name, 'log.pub'),
  ];
  for (const c of candidates) if (await pathExists(c)) return readPublicKeyFile(c);
  throw new VcError(
    'LOG_KEY_MISSING',
    `no public key for the log ${name} (looked at ${candidates.join(', ')})`,
    {
      hint: `give --log ${name}=<base64 SPKI>, or create the log with cerro-torre log init`,
    },
  );
}

export async function readPublicKeyFile(path: string): Promise<Ed25519PublicKey> {
  const bytes = await readInputFile(path, { maxBytes: 64 * 1024, what: 'public key' });
  try {
    return parsePublicKeyPem(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    if (err instanceof VcError)
      throw new VcError(err.code, `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}
