// SPDX-License-Identifier: Apache-2.0
// A cgroupfs stand-in on tmpfs: a directory holding a `cgroup.procs` file cannot be removed, as
// a cgroup holding a process cannot (EBUSY there, ENOTEMPTY here).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeCgroupTree, removeCgroupTreeOnceEmpty } from './cgroup-cleanup.js';

const PARENT = 'vordr/c0ffee';
const HIERARCHIES = ['memory', 'pids', 'blkio'];

describe('cgroup trees of podman containers', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vordr-cgroups-'));
    for (const h of HIERARCHIES) {
      mkdirSync(join(root, h, PARENT, 'conmon'), { recursive: true });
      mkdirSync(join(root, h, PARENT, 'libpod-1234'), { recursive: true });
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Puts `pids` into the conmon cgroup of one hierarchy. */
  const occupy = (hierarchy: string, pids: number[]): string => {
    const file = join(root, hierarchy, PARENT, 'conmon', 'cgroup.procs');
    writeFileSync(file, pids.map((p) => `${p}\n`).join(''));
    return file;
  };
  const left = () => HIERARCHIES.filter((h) => existsSync(join(root, h, PARENT)));

  it('removes every hierarchy’s tree, deepest first, and returns the busy ones', async () => {
    occupy('blkio', [7]);
    const busy = await removeCgroupTree(PARENT, root);
    expect(busy).toEqual([join(root, 'blkio', PARENT, 'conmon'), join(root, 'blkio', PARENT)]);
    expect(left()).toEqual(['blkio']);
    expect(existsSync(join(root, 'blkio', PARENT, 'libpod-1234'))).toBe(false);
  });

  it('waits for a monitor that is still leaving, and kills nothing', async () => {
    const file = occupy('pids', [4242]);
    const killed: number[] = [];
    setTimeout(() => rmSync(file), 100);
    const busy = await removeCgroupTreeOnceEmpty(PARENT, root, {
      waitMs: 10_000,
      pollMs: 5,
      graceMs: 1_000,
      kill: (pid) => killed.push(pid),
    });
    expect(busy).toEqual([]);
    expect(left()).toEqual([]);
    expect(killed).toEqual([]);
  });

  it('kills what stays past the wait, once each, then removes the tree', async () => {
    const files = [occupy('memory', [11, 12]), occupy('pids', [12])];
    const killed: number[] = [];
    const busy = await removeCgroupTreeOnceEmpty(PARENT, root, {
      waitMs: 30,
      pollMs: 5,
      graceMs: 1_000,
      kill: (pid) => {
        killed.push(pid);
        for (const file of files) rmSync(file, { force: true });
      },
    });
    expect(busy).toEqual([]);
    expect(killed.sort()).toEqual([11, 12]);
    expect(left()).toEqual([]);
  });

  it('returns what even a kill does not free, after the grace', async () => {
    occupy('memory', [13]);
    const busy = await removeCgroupTreeOnceEmpty(PARENT, root, {
      waitMs: 10,
      pollMs: 5,
      graceMs: 20,
      kill: () => {
        throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      },
    });
    expect(busy).toEqual([join(root, 'memory', PARENT, 'conmon'), join(root, 'memory', PARENT)]);
  });

  it('is content with a tree that is not there', async () => {
    const busy = await removeCgroupTreeOnceEmpty('vordr/absent', root, {
      waitMs: 10,
      pollMs: 5,
      graceMs: 10,
      kill: () => undefined,
    });
    expect(busy).toEqual([]);
  });
});
