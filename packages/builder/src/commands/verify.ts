// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Command } from 'commander';
import { resolveStoreRoot, storePaths, VcError } from '@verified-container/shared';
import { BUNDLE_MAX_BYTES } from '@verified-container/shared/attestation';
import { sha256Digest } from '@verified-container/shared/crypto';
import { parseManifest } from '@verified-container/shared/manifest';
import { parseRfc3339 } from '@verified-container/shared/time';
import {
  auditRecord,
  cerroTorreExitCode,
  isVerifyMode,
  logQuorum,
  verifyCacheKey,
  parseVulnDb,
  requirementsFromManifest,
  toVerifyResultJson,
  verifyBundle,
  type VerifyInput,
  type VulnDb,
  type VerifyMode,
  type VerifyResult,
} from '@verified-container/shared/verify';
import { action, ALWAYS_JSON, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile } from '../io/files.js';
import { appendAuditRecord } from './verify-audit-log.js';
import { readCachedResult, writeCachedResult } from './verify-cache.js';

interface VerifyFlags {
  bundle?: string;
  trustStore?: string;
  imageDigest?: string;
  mode?: string;
  now?: string;
  logQuorum?: string;
  thresholdGroup?: string[];
  manifest?: string;
  vulnDb?: string;
  requireVulnDb?: boolean;
  auditLog?: string;
  cache?: boolean;
}

export function makeVerifyCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('verify', 'verify an attestation bundle against a trust store (04 §3)')
    .requiredOption('--bundle <file>', 'the attestation bundle (02 §11)')
    .option('--trust-store <file>', 'trust store (default $VC_TRUST_STORE, else the store’s)')
    .option('--image-digest <digest>', 'the image digest every subject must name (sha256:…)')
    .option('--mode <mode>', 'strict, permissive or audit', 'strict')
    .option('--now <time>', 'verify at this RFC 3339 time instead of the clock')
    .option('--log-quorum <n>', 'distinct trusted logs each attestation must be in (≥ 1)')
    .option(
      '--threshold-group <group>',
      'a trust-store group that must be met (repeatable; default every signing group)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--manifest <file>', 'the .ctp manifest: its requirements and digest are checked')
    .option(
      '--vuln-db <file>',
      'offline vulnerability database (debsecan format; default $VC_VULN_DB)',
    )
    .option('--require-vuln-db', 'a missing vulnerability database is an error, not a warning')
    .option(
      '--audit-log <file>',
      'append the audit record here (default $VC_ROOT/audit/verify.jsonl)',
    )
    .option('--no-cache', 'neither use nor store a cached result ($VC_ROOT/cache/verify)')
    .addHelpText(
      'after',
      `
Runs steps 2–10 of the verification algorithm and prints one JSON document on stdout:
{"decision":"ALLOW",…} or {"decision":"REJECT"|"WARN"|"LOG","errorCode":…,"errors":[…],…}.
A missing bundle file is MISSING_ATTESTATION. Every decision appends one audit record.

Exit status: 0 ALLOW, WARN or LOG; 1 REJECT; 2 setup error (trust store invalid, unknown group,
unreadable file, audit log not writable) or usage error.`,
    )
    .action(
      action(
        box,
        'conformance',
        async (flags: VerifyFlags) => verifyCommand(flags, deps),
        ALWAYS_JSON,
      ),
    );
}

/** `verify --bundle` (04 §8): reads the files, runs the pure algorithm, audits the decision. */
export async function verifyCommand(flags: VerifyFlags, deps: CliDeps): Promise<CommandResult> {
  const mode = parseMode(flags.mode);
  const explicitNow = flags.now !== undefined ? parseNow(flags.now) : undefined;
  const quorumFlag = flags.logQuorum !== undefined ? parseQuorum(flags.logQuorum) : undefined;
  const imageDigest = flags.imageDigest !== undefined ? parseDigest(flags.imageDigest) : undefined;
  const root = resolveStoreRoot(deps);
  const trustStorePath = resolve(
    deps.cwd,
    flags.trustStore ?? nonEmpty(deps.env['VC_TRUST_STORE']) ?? storePaths(root).trustStore,
  );
  const trustStoreBytes = await readInputFile(trustStorePath, { what: 'trust store' });
  const bundleBytes = await readBundle(resolve(deps.cwd, flags.bundle ?? ''));
  const manifest =
    flags.manifest !== undefined
      ? await readManifest(resolve(deps.cwd, flags.manifest))
      : undefined;
  const now = explicitNow ?? deps.clock.now();
  const vulnDbPath = flags.vulnDb ?? nonEmpty(deps.env['VC_VULN_DB']);
  const runVulnGate =
    flags.vulnDb !== undefined ||
    flags.requireVulnDb === true ||
    manifest?.requirements.scanBeforeDeployment === true;
  const vulnDb =
    runVulnGate && vulnDbPath !== undefined
      ? await readVulnDb(resolve(deps.cwd, vulnDbPath))
      : undefined;

  const input: VerifyInput = {
    bundleBytes,
    trustStoreBytes,
    now,
    mode,
    ...(quorumFlag !== undefined ? { logQuorum: quorumFlag } : {}),
    ...(flags.thresholdGroup !== undefined ? { thresholdGroups: flags.thresholdGroup } : {}),
    ...(imageDigest !== undefined ? { imageDigest } : {}),
    ...(manifest !== undefined
      ? { manifestBytes: manifest.bytes, requirements: manifest.requirements }
      : {}),
    ...(runVulnGate
      ? { vulnerabilities: { db: vulnDb?.db, requireDb: flags.requireVulnDb === true } }
      : {}),
  };
  // 04 §10: a cached result is used only without --now and --no-cache, before its notAfter.
  const useCache = explicitNow === undefined && flags.cache !== false;
  const cacheDir = `${storePaths(root).cache}/verify`;
  const cacheKey = verifyCacheKey({
    imageDigest: imageDigest ?? null,
    bundleDigest: bundleBytes !== undefined ? sha256Digest(bundleBytes) : null,
    trustStoreDigest: sha256Digest(trustStoreBytes),
    manifestDigest: manifest !== undefined ? sha256Digest(manifest.bytes) : null,
    vulnDbDigest: vulnDb?.digest ?? null,
    mode,
    quorum: logQuorum(input),
    groups: flags.thresholdGroup ?? [],
    requireVulnDb: flags.requireVulnDb === true,
  });
  const cached = useCache ? await readCachedResult(cacheDir, cacheKey, now) : undefined;
  const result = cached ?? verifyBundle(input);
  await appendAuditRecord(
    resolve(deps.cwd, flags.auditLog ?? storePaths(root).audit),
    auditRecord({
      at: deps.clock.now(),
      tool: 'cerro-torre',
      mode,
      result,
      cached: cached !== undefined,
    }),
  );
  if (useCache && cached === undefined) await writeCachedResult(cacheDir, cacheKey, now, result);
  return {
    exitCode: cerroTorreExitCode(result),
    stdout: jsonLine(toVerifyResultJson(result)),
    stderr: summary(result),
  };
}

/** People-facing lines on stderr: every failure and warning, then the decision line. */
function summary(result: VerifyResult): string {
  const lines = [
    ...result.errors.map(
      (e) => `✗ ${e.code}: ${e.message}${e.path !== undefined ? ` (${e.path})` : ''}`,
    ),
    ...result.warnings.map((w) => `! ${w.code}: ${w.message}`),
    result.decision === 'ALLOW'
      ? 'ALLOW'
      : `${result.decision} ${result.errorCode ?? ''}`.trimEnd(),
  ];
  return `${lines.join('\n')}\n`;
}

async function readBundle(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readInputFile(path, { maxBytes: BUNDLE_MAX_BYTES, what: 'bundle' });
  } catch (err) {
    const cause =
      err instanceof VcError ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (cause?.code === 'ENOENT') return undefined; // step 2: MISSING_ATTESTATION
    throw err;
  }
}

async function readManifest(path: string) {
  const bytes = await readInputFile(path, { what: 'manifest' });
  const parsed = parseManifest(bytes, { source: path });
  if (parsed.manifest === undefined) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error');
    throw new VcError(
      'USAGE',
      `--manifest ${path} is not a valid manifest: ${first?.message ?? 'invalid'}`,
      {
        hint: `see cerro-torre validate ${path}`,
      },
    );
  }
  return { bytes, requirements: requirementsFromManifest(parsed.manifest) };
}

/** Reads a debsecan database: zlib (RFC 1950) of UTF-8 text (04 §6.5). */
async function readVulnDb(path: string): Promise<{ db: VulnDb; digest: string }> {
  const bytes = await readInputFile(path, { what: 'vulnerability database' });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(inflateSync(bytes));
  } catch (cause) {
    throw new VcError(
      'VULNERABILITY_DB_INVALID',
      `${path} is not a zlib-compressed UTF-8 debsecan database: ${(cause as Error).message}`,
      { cause },
    );
  }
  return { db: parseVulnDb(text), digest: sha256Digest(bytes) };
}

function parseMode(text: string | undefined): VerifyMode {
  const mode = text ?? 'strict';
  if (!isVerifyMode(mode)) {
    throw new VcError(
      'USAGE',
      `--mode must be strict, permissive or audit, not ${JSON.stringify(mode)}`,
    );
  }
  return mode;
}

function parseNow(text: string): Date {
  const ms = parseRfc3339(text);
  if (ms === null) {
    throw new VcError('USAGE', `--now must be an RFC 3339 time, not ${JSON.stringify(text)}`, {
      hint: 'for example --now 2026-11-25T12:00:00Z',
    });
  }
  return new Date(ms);
}

function parseQuorum(text: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new VcError('USAGE', `--log-quorum must be an integer ≥ 1, not ${JSON.stringify(text)}`);
  }
  return n;
}

function parseDigest(text: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(text)) {
    throw new VcError(
      'USAGE',
      `--image-digest must be sha256:<64 lowercase hex>, not ${JSON.stringify(text)}`,
    );
  }
  return text;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
