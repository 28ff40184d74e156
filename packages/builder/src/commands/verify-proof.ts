// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import {
  canonicalBytes,
  JsonError,
  parseJson,
  type JsonValue,
} from '@verified-container/shared/json';
import {
  hashFromHex,
  hashToHex,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '@verified-container/shared/merkle';
import { action, ALWAYS_JSON, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile } from '../io/files.js';

interface VerifyProofFlags {
  proof?: string;
  leafHash?: string;
  entry?: string;
  rootHash?: string;
  consistency?: boolean;
}

export function makeVerifyProofCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('verify-proof', 'check an RFC 9162 inclusion or consistency proof')
    .requiredOption(
      '--proof <file>',
      'inclusion proof {logIndex, rootHash, treeSize, hashes} or a bundle log entry',
    )
    .option('--leaf-hash <hex>', 'the leaf hash (64 hex, sha256: prefix accepted)')
    .option('--entry <file>', 'a log leaf object; its leaf hash is computed')
    .option('--root-hash <hex>', "verify against this root instead of the proof's")
    .option('--consistency', 'the proof is {first, second, firstRootHash, secondRootHash, hashes}')
    .addHelpText(
      'after',
      `
Output (stdout): {"proofValid":true,"logIndex":…,"treeSize":…,"rootHash":…}, or
{"proofValid":false,"errorCode":"LOG_PROOF_INVALID","message":…}; with --consistency
{"consistent":true|false}.

Exit status: 0 valid, 1 invalid, 2 unreadable file or usage error.`,
    )
    .action(
      action(
        box,
        'conformance',
        async (flags: VerifyProofFlags) => {
          const proofPath = resolve(deps.cwd, flags.proof ?? '');
          return flags.consistency === true
            ? verifyConsistencyFile(proofPath)
            : verifyInclusionFile(proofPath, {
                ...flags,
                ...(flags.entry !== undefined ? { entry: resolve(deps.cwd, flags.entry) } : {}),
              });
        },
        ALWAYS_JSON,
      ),
    );
}

class ProofProblem extends Error {}

function invalid(message: string): CommandResult {
  return {
    exitCode: 1,
    stdout: jsonLine({ proofValid: false, errorCode: 'LOG_PROOF_INVALID', message }),
    stderr: `✗ LOG_PROOF_INVALID: ${message}\n`,
  };
}

async function readJson(path: string, what: string): Promise<JsonValue> {
  const bytes = await readInputFile(path, { maxBytes: 64 * 1024 * 1024, what });
  try {
    return parseJson(bytes);
  } catch (err) {
    if (err instanceof JsonError) throw new ProofProblem(`${path}: ${err.message}`);
    throw err;
  }
}

function field(obj: JsonValue, name: string): JsonValue | undefined {
  return obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? obj[name] : undefined;
}

function integer(obj: JsonValue, name: string, min: number): number {
  const v = field(obj, name);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new ProofProblem(`${name} must be an integer ≥ ${min}`);
  }
  return v;
}

function hash(text: unknown, name: string): Uint8Array {
  const h = typeof text === 'string' ? hashFromHex(text) : null;
  if (h === null) throw new ProofProblem(`${name} must be 64 hex characters`);
  return h;
}

function hashes(obj: JsonValue): Uint8Array[] {
  const list = field(obj, 'hashes');
  if (!Array.isArray(list)) throw new ProofProblem('hashes must be an array');
  if (list.length > 64) throw new ProofProblem('a proof has at most 64 hashes');
  return list.map((h, i) => hash(h, `hashes[${i}]`));
}

async function verifyInclusionFile(path: string, flags: VerifyProofFlags): Promise<CommandResult> {
  if ((flags.leafHash === undefined) === (flags.entry === undefined)) {
    throw new VcError('USAGE', 'give exactly one of --leaf-hash and --entry');
  }
  try {
    const doc = await readJson(path, 'proof');
    const wrapped = field(doc, 'inclusionProof');
    const proof = wrapped ?? doc;
    const index = integer(proof, 'logIndex', 0);
    if (wrapped !== undefined && integer(doc, 'logIndex', 0) !== index) {
      throw new ProofProblem('inclusionProof.logIndex differs from the entry logIndex');
    }
    const treeSize = integer(proof, 'treeSize', 1);
    const proofRoot = hash(field(proof, 'rootHash'), 'rootHash');
    const root = flags.rootHash !== undefined ? hash(flags.rootHash, '--root-hash') : proofRoot;
    const leaf =
      flags.leafHash !== undefined
        ? hash(flags.leafHash, '--leaf-hash')
        : leafHash(canonicalBytes(await readJson(flags.entry ?? '', 'leaf entry')));
    const ok = verifyInclusion({
      index,
      treeSize,
      leafHash: leaf,
      hashes: hashes(proof),
      rootHash: root,
    });
    if (!ok) {
      return invalid(
        `the proof of leaf ${index} in a tree of ${treeSize} does not lead to root ${hashToHex(root)}`,
      );
    }
    return {
      exitCode: 0,
      stdout: jsonLine({ proofValid: true, logIndex: index, treeSize, rootHash: hashToHex(root) }),
      stderr: `✓ leaf ${index} is included in the tree of size ${treeSize}\n`,
    };
  } catch (err) {
    if (err instanceof ProofProblem) return invalid(err.message);
    throw err;
  }
}

async function verifyConsistencyFile(path: string): Promise<CommandResult> {
  try {
    const doc = await readJson(path, 'consistency proof');
    const first = integer(doc, 'first', 0);
    const second = integer(doc, 'second', 0);
    const ok = verifyConsistency({
      first,
      second,
      firstRoot: hash(field(doc, 'firstRootHash'), 'firstRootHash'),
      secondRoot: hash(field(doc, 'secondRootHash'), 'secondRootHash'),
      hashes: hashes(doc),
    });
    return {
      exitCode: ok ? 0 : 1,
      stdout: jsonLine({ consistent: ok }),
      stderr: ok
        ? `✓ tree ${second} is consistent with tree ${first}\n`
        : `✗ LOG_PROOF_INVALID: tree ${second} is not shown consistent with tree ${first}\n`,
    };
  } catch (err) {
    if (err instanceof ProofProblem) {
      return {
        exitCode: 1,
        stdout: jsonLine({
          consistent: false,
          errorCode: 'LOG_PROOF_INVALID',
          message: err.message,
        }),
        stderr: `✗ LOG_PROOF_INVALID: ${err.message}\n`,
      };
    }
    throw err;
  }
}
