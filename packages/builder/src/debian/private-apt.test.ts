// SPDX-License-Identifier: Apache-2.0
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '@verified-container/shared';
import { resolveAptSources } from './apt-sources.js';
import type { AptSources } from './apt-sources.js';
import { PrivateApt, updateError } from './private-apt.js';
import { ScriptedExec } from './scripted-exec.js';
import type { ExecCall, ScriptedReply } from './scripted-exec.js';

let dir: string;
let sources: AptSources;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ct-apt-'));
  const keyring = join(dir, 'keyring.gpg');
  await writeFile(keyring, 'not really a keyring');
  sources = resolveAptSources({ suite: 'bookworm', architecture: 'amd64', keyring }, {});
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Answers `apt-get update` and `apt-get indextargets` like apt does for a healthy mirror. */
function healthyApt(apt: () => PrivateApt, over: Partial<Record<string, ScriptedReply>> = {}) {
  return async (call: ExecCall): Promise<ScriptedReply> => {
    const sub = call.args[0] ?? '';
    const canned = over[sub];
    if (canned !== undefined) return canned;
    if (sub === 'update') {
      for (const pocket of ['bookworm', 'bookworm-updates', 'bookworm-security']) {
        await writeFile(join(apt().paths.lists, `${pocket}_Packages`), 'Package: a\n');
      }
      return { stdout: 'Get:1 http://deb.debian.org/debian bookworm InRelease\n' };
    }
    if (sub === 'indextargets') {
      return {
        stdout: ['bookworm', 'bookworm-updates', 'bookworm-security']
          .map(
            (pocket) =>
              `MetaKey: main/binary-amd64/Packages\nFilename: ${join(apt().paths.lists, `${pocket}_Packages`)}\nRelease: ${pocket}\nComponent: main\nArchitecture: amd64\nTrusted: yes\nIdentifier: Packages\n`,
          )
          .join('\n'),
      };
    }
    return { code: 100, stderr: `unexpected ${call.args.join(' ')}` };
  };
}

class MutableClock implements Clock {
  constructor(public t: number) {}
  now(): Date {
    return new Date(this.t);
  }
}

describe('PrivateApt', () => {
  it('prepares an isolated root under cache/build/apt/<key>', async () => {
    const exec = new ScriptedExec(() => ({}));
    const apt = await PrivateApt.open({ cacheDir: dir, sources, exec, env: {} });
    expect(apt.root).toMatch(new RegExp(`^${dir}/build/apt/[0-9a-f]{32}$`));
    const conf = await readFile(apt.paths.config, 'utf8');
    for (const line of [
      'Dir::Etc::Main "/dev/null";',
      'Dir::Etc::Parts "/dev/null";',
      'Dir::Etc::SourceParts "/dev/null";',
      'Dir::Etc::Preferences "/dev/null";',
      'Dir::Etc::Trusted "/dev/null";',
      `Dir::State::Lists "${apt.root}/lists/";`,
      `Dir::State::status "${apt.root}/state/status";`,
      `Dir::Cache "${apt.root}/cache/";`,
      'Dir::Bin::dpkg "/bin/false";',
      'APT::Architectures { "amd64"; };',
      'Acquire::Check-Valid-Until "false";',
      'Acquire::AllowInsecureRepositories "false";',
      'pkgCacheGen::Essential "none";',
    ]) {
      expect(conf).toContain(line);
    }
    expect(await readFile(apt.paths.sourcesList, 'utf8')).toContain(
      `signed-by=${sources.keyring}]`,
    );
    expect(await readFile(apt.paths.emptyStatus, 'utf8')).toBe('');
    const env = apt.aptEnv();
    expect(env['APT_CONFIG']).toBe(apt.paths.config);
    expect(env['LC_ALL']).toBe('C');
  });

  it('updates once, then reuses lists younger than the maximum age', async () => {
    const clock = new MutableClock(Date.parse('2026-01-01T00:00:00Z'));
    const holder: { apt?: PrivateApt } = {};
    const exec = new ScriptedExec(healthyApt(() => holder.apt!));
    const apt = (holder.apt = await PrivateApt.open({
      cacheDir: dir,
      sources,
      exec,
      env: { LANG: 'de_DE.UTF-8', http_proxy: 'http://p:3128' },
      clock,
    }));
    expect(await apt.listsAgeMs()).toBeUndefined();
    expect(await apt.update()).toMatchObject({ updated: true });
    const update = exec.calls.find((c) => c.args[0] === 'update')!;
    expect(update.cmd).toBe('apt-get');
    expect(update.args).toEqual(['update', '--error-on=any', '-q']);
    expect(update.opts.env?.['APT_CONFIG']).toBe(apt.paths.config);
    expect(update.opts.env?.['http_proxy']).toBe('http://p:3128');
    expect(update.opts.env?.['LANG']).toBeUndefined();

    clock.t += 30 * 60 * 1000;
    expect(await apt.update()).toMatchObject({ updated: false });
    clock.t += 31 * 60 * 1000;
    expect(await apt.update()).toMatchObject({ updated: true });
    expect(await apt.update({ force: true })).toMatchObject({ updated: true });
    expect(await apt.update({ maxAgeMs: 0 })).toMatchObject({ updated: true });
    expect(exec.calls.filter((c) => c.args[0] === 'update')).toHaveLength(4);
    // The lock is released.
    await expect(stat(apt.paths.lock)).rejects.toThrow();
  });

  it.each([
    [
      "Err:1 http://deb.debian.org/debian bookworm InRelease\n  Could not resolve 'deb.debian.org'\nE: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Could not resolve 'deb.debian.org'",
      'BUILD_FETCH_FAILED',
    ],
    [
      "W: GPG error: http://deb.debian.org/debian bookworm InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 6ED0E7B82643E131\nE: The repository 'http://deb.debian.org/debian bookworm InRelease' is not signed.",
      'BUILD_REPOSITORY_UNTRUSTED',
    ],
    [
      "E: The repository 'http://deb.debian.org/debian bookwom Release' does not have a Release file.",
      'BUILD_SUITE_UNKNOWN',
    ],
    [
      'E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/by-hash/SHA256/ab  Hash Sum mismatch',
      'BUILD_HASH_MISMATCH',
    ],
  ])('maps update failures: %#', async (stderr, code) => {
    const holder: { apt?: PrivateApt } = {};
    const exec = new ScriptedExec(healthyApt(() => holder.apt!, { update: { code: 100, stderr } }));
    const apt = (holder.apt = await PrivateApt.open({ cacheDir: dir, sources, exec, env: {} }));
    await expect(apt.update()).rejects.toMatchObject({ code });
    expect(await apt.listsAgeMs()).toBeUndefined();
  });

  it('updates again when fresh lists have gone missing', async () => {
    const holder: { apt?: PrivateApt } = {};
    const exec = new ScriptedExec(healthyApt(() => holder.apt!));
    const apt = (holder.apt = await PrivateApt.open({ cacheDir: dir, sources, exec, env: {} }));
    await apt.update();
    await rm(join(apt.paths.lists, 'bookworm-security_Packages'));
    expect(await apt.update()).toMatchObject({ updated: true });
  });

  it('treats an update that exits 0 but reports Err: lines as failed', async () => {
    const holder: { apt?: PrivateApt } = {};
    const exec = new ScriptedExec(
      healthyApt(() => holder.apt!, {
        update: {
          code: 0,
          stdout: 'Err:3 http://x bookworm-security InRelease\n  Connection failed\n',
        },
      }),
    );
    const apt = (holder.apt = await PrivateApt.open({ cacheDir: dir, sources, exec, env: {} }));
    await expect(apt.update()).rejects.toMatchObject({ code: 'BUILD_FETCH_FAILED' });
  });

  it('needs a readable keyring', async () => {
    const exec = new ScriptedExec(() => ({}));
    const missing = { ...sources, keyring: join(dir, 'nope.gpg') };
    const apt = await PrivateApt.open({ cacheDir: dir, sources: missing, exec, env: {} });
    await expect(apt.update()).rejects.toMatchObject({ code: 'BUILD_TOOL_MISSING' });
    expect(exec.calls).toHaveLength(0);
  });

  it('refuses indexes apt does not trust and notices a missing pocket', async () => {
    const holder: { apt?: PrivateApt } = {};
    const exec = new ScriptedExec(async (call) => {
      if (call.args[0] !== 'indextargets') return {};
      const file = join(holder.apt!.paths.lists, 'p');
      await writeFile(file, '');
      return {
        stdout: `Filename: ${file}\nRelease: bookworm\nComponent: main\nArchitecture: amd64\nTrusted: no\nDescription: http://x bookworm/main amd64 Packages\n`,
      };
    });
    const apt = (holder.apt = await PrivateApt.open({ cacheDir: dir, sources, exec, env: {} }));
    await expect(apt.indexes()).rejects.toMatchObject({ code: 'BUILD_REPOSITORY_UNTRUSTED' });

    const partial = new ScriptedExec(async () => {
      const file = join(holder.apt!.paths.lists, 'p');
      await writeFile(file, '');
      return {
        stdout: `Filename: ${file}\nRelease: bookworm\nComponent: main\nArchitecture: amd64\nTrusted: yes\n`,
      };
    });
    const apt2 = await PrivateApt.open({ cacheDir: dir, sources, exec: partial, env: {} });
    await expect(apt2.indexes()).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
      message: /bookworm-updates/,
    });
  });

  it('serialises work on one root through its lock file', async () => {
    const exec = new ScriptedExec(() => ({}));
    const apt = await PrivateApt.open({ cacheDir: dir, sources, exec, env: {} });
    const order: string[] = [];
    const slow = apt.withLock(async () => {
      order.push('a start');
      await new Promise((r) => setTimeout(r, 100));
      order.push('a end');
    });
    await new Promise((r) => setTimeout(r, 10));
    await apt.withLock(() => {
      order.push('b');
      return Promise.resolve();
    });
    await slow;
    expect(order).toEqual(['a start', 'a end', 'b']);
  });

  it('updateError names the mirrors for an unexplained failure', () => {
    const err = updateError('E: something odd', sources);
    expect(err.code).toBe('BUILD_FETCH_FAILED');
    expect(err.message).toContain('http://deb.debian.org/debian');
    expect(err.details).toEqual({ apt: ['E: something odd'] });
  });
});
