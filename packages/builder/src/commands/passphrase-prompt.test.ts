// SPDX-License-Identifier: Apache-2.0
// Passphrases of encrypted keys in sign, build and publish (02 §8) with an injected prompt: asked
// once per run and only for an encrypted key, never when --passphrase-file or CT_KEY_PASSPHRASE
// gives one; without a terminal KEY_PASSPHRASE_REQUIRED, a wrong one KEY_PASSPHRASE_INVALID, and
// then nothing is written.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseBundle,
  serializeBundle,
  type AttestationBundle,
} from '@verified-container/shared/attestation';
import { privateKeyToPem } from '@verified-container/shared/crypto';
import { randomKey, workedExampleBundle } from '@verified-container/testkit';
import { makeDeps, tempDir, text } from '../../test/support.js';
import { snapshotFiles, testImageManifest } from '../build/test-support.js';
import type { CliDeps } from '../cli/deps.js';
import { runCli } from '../cli.js';
import { initLog, openFileLogReader } from '../tlog/index.js';

/** A terminal that answers `line` to every question and records the questions. */
function terminal(line: string) {
  const asked: string[] = [];
  const prompt = (questions: readonly string[]) => {
    asked.push(...questions);
    return Promise.resolve(questions.map(() => line));
  };
  return { asked, prompt, interactive: true };
}

const noTerminal = {
  interactive: false,
  prompt: () => Promise.reject(new Error('must not prompt')),
};

function unsignedBundle(): string {
  const b = workedExampleBundle() as unknown as AttestationBundle;
  return serializeBundle({
    ...b,
    attestations: b.attestations.map((e) => ({ ...e, signatures: [] })),
    logEntries: [],
  });
}

function writeKey(dir: string, name: string, passphrase?: string): string {
  const path = join(dir, name);
  writeFileSync(path, privateKeyToPem(randomKey(), passphrase), { mode: 0o600 });
  return path;
}

const signers = (path: string) =>
  parseBundle(readFileSync(path)).bundle?.attestations.map((e) => e.signatures.length);

describe('sign with an encrypted key', () => {
  it('asks once on a terminal, naming the key file, and signs', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    writeKey(cwd, 'enc.key', 'pw');
    writeFileSync(join(cwd, 'bundle.json'), unsignedBundle());
    const tty = terminal('pw');
    const r = await runCli(['sign', '--key', 'enc.key', 'bundle.json'], {
      ...makeDeps(cwd),
      ...tty,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(tty.asked).toEqual(['Enter passphrase for enc.key: ']);
    expect(JSON.parse(text(r.stdout))).toMatchObject({ signed: true });
    expect(signers(join(cwd, 'bundle.json'))).toEqual([1, 1]);
  });

  it('is not asked for an unencrypted key, nor when CT_KEY_PASSPHRASE or the file gives one', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    writeKey(cwd, 'plain.key');
    writeKey(cwd, 'enc.key', 'pw');
    writeFileSync(join(cwd, 'pass'), 'pw\n');
    writeFileSync(join(cwd, 'bundle.json'), unsignedBundle());
    const tty = terminal('typed');
    const deps = { ...makeDeps(cwd), ...tty };
    expect((await runCli(['sign', '--key', 'plain.key', 'bundle.json'], deps)).exitCode).toBe(0);
    const fromFile = await runCli(
      ['sign', '--key', 'enc.key', '--passphrase-file', 'pass', 'bundle.json'],
      deps,
    );
    expect(fromFile.exitCode, fromFile.stderr).toBe(0);
    const fromEnv = await runCli(['sign', '--key', 'enc.key', 'bundle.json'], {
      ...deps,
      env: { ...deps.env, CT_KEY_PASSPHRASE: 'pw' },
    });
    expect(fromEnv.exitCode, fromEnv.stderr).toBe(0);
    expect(tty.asked).toEqual([]);
    expect(signers(join(cwd, 'bundle.json'))).toEqual([2, 2]);
  });

  it('without a terminal is KEY_PASSPHRASE_REQUIRED; a wrong one KEY_PASSPHRASE_INVALID; nothing written', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    writeKey(cwd, 'enc.key', 'pw');
    writeFileSync(join(cwd, 'bundle.json'), unsignedBundle());
    const before = readFileSync(join(cwd, 'bundle.json'));
    const required = await runCli(['sign', '--key', 'enc.key', 'bundle.json'], {
      ...makeDeps(cwd),
      ...noTerminal,
    });
    expect(required.exitCode).toBe(2);
    expect(required.stderr).toMatch(/^Error \[KEY_PASSPHRASE_REQUIRED\]: .*enc\.key/);
    expect(required.stderr).toContain(
      'give --passphrase-file FILE, set CT_KEY_PASSPHRASE, or run on a terminal',
    );
    const wrong = await runCli(['sign', '--key', 'enc.key', 'bundle.json'], {
      ...makeDeps(cwd),
      ...terminal('nope'),
    });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/^Error \[KEY_PASSPHRASE_INVALID\]/);
    expect(readFileSync(join(cwd, 'bundle.json'))).toEqual(before);
  });

  it('sign --statement asks on a terminal; a wrong passphrase writes no envelope', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    writeKey(cwd, 'enc.key', 'pw');
    const payload = workedExampleBundle().attestations[0]?.payload ?? '';
    writeFileSync(join(cwd, 'statement.json'), Buffer.from(payload, 'base64'));
    const argv = [
      'sign',
      '--statement',
      'statement.json',
      '--key',
      'enc.key',
      '--output',
      'o.json',
    ];
    const wrong = await runCli(argv, { ...makeDeps(cwd), ...terminal('nope') });
    expect(wrong.exitCode).toBe(2);
    expect(text(wrong.stdout) + wrong.stderr).toContain('KEY_PASSPHRASE_INVALID');
    expect(existsSync(join(cwd, 'o.json'))).toBe(false);
    const tty = terminal('pw');
    const ok = await runCli(argv, { ...makeDeps(cwd), ...tty });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(tty.asked).toEqual(['Enter passphrase for enc.key: ']);
    expect(JSON.parse(readFileSync(join(cwd, 'o.json'), 'utf8')).signatures).toHaveLength(1);
  });
});

describe('publish to file: logs with encrypted keys', () => {
  const MANIFEST = `[package]
name = "hello"
version = "1.0.0"

[attestations.signing]
threshold = "1-of-1"
keyholders = ["m1"]

[attestations.transparency]
logs = [
    { name = "log-a", url = "file:logs/log-a" },
    { name = "log-b", url = "file:logs/log-b" },
]
threshold-agreement = "2-of-2"
`;

  /** A dev trust store over two `file:` logs whose keys are encrypted with "pw", a signed bundle. */
  async function setUp(cwd: string): Promise<CliDeps> {
    const deps = makeDeps(cwd);
    for (const id of ['log-a', 'log-b']) {
      await initLog({ dir: join(cwd, 'logs', id), logId: id, passphrase: 'pw' });
    }
    writeFileSync(join(cwd, 'hello.ctp'), MANIFEST);
    const init = await runCli(['trust', 'init', '--manifest', 'hello.ctp', '--dev'], deps);
    expect(init.exitCode, init.stderr).toBe(0);
    writeFileSync(join(cwd, 'bundle.json'), unsignedBundle());
    const signed = await runCli(
      ['sign', '--key', join(cwd, 'store/keys/m1.key'), 'bundle.json'],
      deps,
    );
    expect(signed.exitCode, signed.stderr).toBe(0);
    return deps;
  }

  const logSize = async (cwd: string, id: string) => {
    const reader = await openFileLogReader(join(cwd, 'logs', id));
    try {
      return reader.head().treeSize;
    } finally {
      reader.close();
    }
  };

  it('a wrong or missing passphrase fails before anything is submitted', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    const deps = await setUp(cwd);
    const before = readFileSync(join(cwd, 'bundle.json'));
    const required = await runCli(['publish', 'bundle.json'], { ...deps, ...noTerminal });
    expect(required.exitCode).toBe(2);
    expect(required.stderr).toMatch(/^Error \[KEY_PASSPHRASE_REQUIRED\]: .*log\.key/);
    const wrong = await runCli(['publish', 'bundle.json'], { ...deps, ...terminal('nope') });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/^Error \[KEY_PASSPHRASE_INVALID\]/);
    expect(readFileSync(join(cwd, 'bundle.json'))).toEqual(before);
    expect([await logSize(cwd, 'log-a'), await logSize(cwd, 'log-b')]).toEqual([0, 0]);
  });

  it('asks once for both log keys on a terminal, or takes --passphrase-file', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    const deps = await setUp(cwd);
    const tty = terminal('pw');
    const published = await runCli(['publish', 'bundle.json', '--json'], { ...deps, ...tty });
    expect(published.exitCode, published.stderr).toBe(0);
    expect(tty.asked).toEqual([`Enter passphrase for ${join(cwd, 'logs/log-a/log.key')}: `]);
    expect(JSON.parse(text(published.stdout))).toMatchObject({ published: true });
    writeFileSync(join(cwd, 'pass'), 'pw\n');
    const again = await runCli(['publish', 'bundle.json', '--passphrase-file', 'pass'], {
      ...deps,
      ...noTerminal,
    });
    expect(again.exitCode, again.stderr).toBe(0);
  });
});

describe('build with an encrypted --key', () => {
  const build = (cwd: string, deps: Partial<CliDeps>, ...extra: string[]) =>
    runCli(
      ['build', 'hello.ctp', '--key', 'enc.key', '--source-date-epoch', '1700000000', ...extra],
      {
        ...makeDeps(cwd),
        progress: () => undefined,
        ...deps,
      } as CliDeps,
    );

  it('asks once at the sign stage; a wrong passphrase fails with nothing committed or written', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, 'hello.ctp'), testImageManifest());
    writeKey(cwd, 'enc.key', 'pw');
    const wrong = await build(cwd, terminal('nope'));
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/^Error \[KEY_PASSPHRASE_INVALID\]/m);
    expect(existsSync(join(cwd, 'dist'))).toBe(false);
    expect(
      Object.keys(snapshotFiles(join(cwd, 'store/images'), join(cwd, 'store/bundles'))),
    ).toEqual([]);
    const required = await build(cwd, noTerminal);
    expect(required.exitCode).toBe(2);
    expect(required.stderr).toMatch(/^Error \[KEY_PASSPHRASE_REQUIRED\]/m);

    const tty = terminal('pw');
    const ok = await build(cwd, tty, '--json');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(tty.asked).toEqual([`Enter passphrase for ${join(cwd, 'enc.key')}: `]);
    expect(JSON.parse(text(ok.stdout))).toMatchObject({ status: 'signed' });
    writeFileSync(join(cwd, 'pass'), 'pw\n');
    const fromFile = await build(cwd, noTerminal, '--passphrase-file', 'pass', '--json');
    expect(fromFile.exitCode, fromFile.stderr).toBe(0);
    expect(JSON.parse(text(fromFile.stdout))).toMatchObject({ status: 'signed' });
  });
});

describe('log serve with an encrypted log key', () => {
  it('without a terminal is KEY_PASSPHRASE_REQUIRED; a wrong typed one KEY_PASSPHRASE_INVALID', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    await initLog({ dir: join(cwd, 'log'), logId: 'log', passphrase: 'pw' });
    const serve = (deps: Partial<CliDeps>) =>
      runCli(['log', 'serve', '--dir', 'log', '--port', '0'], { ...makeDeps(cwd), ...deps });
    const required = await serve(noTerminal);
    expect(required.exitCode).toBe(2);
    expect(required.stderr).toMatch(/^Error \[KEY_PASSPHRASE_REQUIRED\]: .*log\.key/);
    const tty = terminal('nope');
    const wrong = await serve(tty);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/^Error \[KEY_PASSPHRASE_INVALID\]/);
    expect(tty.asked).toEqual([`Enter passphrase for ${join(cwd, 'log/log.key')}: `]);
  });
});
