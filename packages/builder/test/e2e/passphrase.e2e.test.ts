// SPDX-License-Identifier: Apache-2.0
// `cerro-torre sign --key enc.key` on a real terminal (util-linux `script` gives the built binary a
// pseudo-terminal): the passphrase is asked for on the terminal, naming the key, typed without
// echo, and the signature is made (02 §8). A wrong one is exit 2 and leaves the bundle alone.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseBundle,
  serializeBundle,
  type AttestationBundle,
} from '@verified-container/shared/attestation';
import { privateKeyToPem } from '@verified-container/shared/crypto';
import { randomKey, workedExampleBundle } from '@verified-container/testkit';
import { has, tempDir } from '../support.js';

const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;
const PROMPT = 'Enter passphrase for enc.key: ';

/**
 * Runs `cerro-torre args` under `script` in `cwd`; once the prompt is on the terminal, types
 * `answer` and Enter. Resolves with the terminal's text and the exit status.
 */
function onTerminal(
  cwd: string,
  args: string[],
  answer: string,
): Promise<{ out: string; status: number | null }> {
  const child = spawn('script', ['-qec', [process.execPath, BIN, ...args].join(' '), '/dev/null'], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', VC_ROOT: join(cwd, 'store'), NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let typed = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    // typed only after the prompt: the terminal is then in raw mode, so an echo would show
    if (!typed && out.includes(PROMPT)) {
      typed = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      child.stdin.destroy();
      resolve({ out, status });
    });
  });
}

function unsignedBundle(): string {
  const b = workedExampleBundle() as unknown as AttestationBundle;
  return serializeBundle({
    ...b,
    attestations: b.attestations.map((e) => ({ ...e, signatures: [] })),
    logEntries: [],
  });
}

describe('sign asks for the passphrase on a terminal', () => {
  it.skipIf(!has('script', '--version'))(
    'prompts without echo, signs with the right one, refuses a wrong one',
    async () => {
      using dir = tempDir('ct-e2e-pass-');
      const cwd = dir.path;
      const key = randomKey();
      writeFileSync(join(cwd, 'enc.key'), privateKeyToPem(key, 's3cret-pw'), { mode: 0o600 });
      writeFileSync(join(cwd, 'bundle.json'), unsignedBundle());
      const before = readFileSync(join(cwd, 'bundle.json'));

      const wrong = await onTerminal(cwd, ['sign', '--key', 'enc.key', 'bundle.json'], 'n0pe-pw');
      expect(wrong.out).toContain(PROMPT);
      expect(wrong.out).not.toContain('n0pe-pw');
      expect(wrong.out).toContain('KEY_PASSPHRASE_INVALID');
      expect(wrong.status).toBe(2);
      expect(readFileSync(join(cwd, 'bundle.json'))).toEqual(before);

      const ok = await onTerminal(cwd, ['sign', '--key', 'enc.key', 'bundle.json'], 's3cret-pw');
      expect(ok.status, ok.out).toBe(0);
      expect(ok.out).toContain(PROMPT);
      expect(ok.out).not.toContain('s3cret-pw');
      expect(ok.out).toContain(`"keyid":"${key.publicKey.keyId}"`);
      const signed = parseBundle(readFileSync(join(cwd, 'bundle.json'))).bundle;
      for (const envelope of signed?.attestations ?? []) {
        expect(envelope.signatures.map((s) => s.keyid)).toEqual([key.publicKey.keyId]);
      }
      expect(signed?.attestations.length).toBeGreaterThan(0);
    },
  );
});
