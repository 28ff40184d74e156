// SPDX-License-Identifier: Apache-2.0
// Named volumes through `vordr run` on a real signed store image (busybox base), real runc and
// conmon: the guide's migration flow (`volume create`, then `run --rm -v vol:/target -v $PWD:/backup
// … tar xzf`), a volume that outlives its containers, copy-up of the image's content into a new
// volume, and `volume rm` refused while a container mounts it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBusybox } from '../support/busybox-layout.js';
import {
  buildSignedImage,
  removeStoreNetworks,
  vordr,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox, 'tar');

const IMAGE = 'vt/vol:1.0.0';

describe.skipIf(!ready)('vordr run with named volumes', () => {
  let dir = '';
  let store = '';
  const v = (...args: string[]) => vordr(dir, store, ...args);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-vol-'));
    store = join(dir, 'store');
    buildSignedImage(dir, busybox!, 'vt/vol');
  }, 120_000);

  afterAll(() => {
    if (dir === '') return;
    for (const id of v('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter(Boolean)) {
      v('rm', '-f', id);
    }
    removeStoreNetworks(dir, store);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((p) => p.startsWith(dir));
    for (const path of mounts.reverse()) spawnSync('umount', ['-l', path]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("the guide's migration: a tarball restored into a volume that outlives the container", () => {
    // What `tar czf wp_content.tar.gz -C wp-content .` made on the old host.
    const old = join(dir, 'old-wp-content');
    mkdirSync(join(old, 'uploads/2026'), { recursive: true });
    writeFileSync(join(old, 'uploads/2026/photo.txt'), 'a photo\n');
    writeFileSync(join(old, 'index.php'), '<?php // Silence is golden.\n');
    const backup = join(dir, 'backup');
    mkdirSync(backup);
    const packed = spawnSync('tar', ['czf', join(backup, 'wp_content.tar.gz'), '-C', old, '.']);
    expect(packed.status).toBe(0);

    expect(v('volume', 'create', 'wp_content').status).toBe(0);
    const restored = v(
      'run',
      '--rm',
      '-v',
      'wp_content:/target',
      '-v',
      `${backup}:/backup`,
      IMAGE,
      'tar',
      'xzf',
      '/backup/wp_content.tar.gz',
      '-C',
      '/target',
    );
    expect(restored.status, restored.stderr).toBe(0);
    expect(v('ps', '-a', '-q').stdout).toBe('');

    // The content is in the volume, and a later container sees it.
    const listed = v(
      'run',
      '--rm',
      '-v',
      'wp_content:/srv',
      IMAGE,
      'cat',
      '/srv/uploads/2026/photo.txt',
    );
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toBe('a photo\n');
    expect(JSON.parse(v('volume', 'inspect', 'wp_content').stdout)).toMatchObject({
      name: 'wp_content',
      mountpoint: join(store, 'vordr/volumes/wp_content/_data'),
    });
  });

  it('a new volume mounted where the image has content receives a copy of it', () => {
    const r = v('run', '--rm', '-v', 'etc_copy:/etc', IMAGE, 'cat', '/etc/greeting');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from vordr\n');
    expect(readFileSync(join(store, 'vordr/volumes/etc_copy/_data/greeting'), 'utf8')).toBe(
      'hello from vordr\n',
    );
  });

  it('volume rm is refused while a container mounts the volume, and works after rm', () => {
    const name = `holder-${process.pid}`;
    const started = v(
      'run',
      '-d',
      '--name',
      name,
      '-v',
      'held:/data',
      IMAGE,
      '/bin/busybox',
      'sleep',
      '300',
    );
    expect(started.status, started.stderr).toBe(0);
    const refused = v('volume', 'rm', 'held');
    expect(refused.status).toBe(125);
    expect(refused.stderr).toContain('IN_USE');
    expect(v('rm', '-f', name).status).toBe(0);
    expect(v('volume', 'rm', 'held').status).toBe(0);
    expect(existsSync(join(store, 'vordr/volumes/held'))).toBe(false);
  });
});
