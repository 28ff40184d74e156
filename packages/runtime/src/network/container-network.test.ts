// SPDX-License-Identifier: Apache-2.0
// Hosts files of peers from the leases of a store in a temporary directory (no netns needed).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerRecords } from '../store/container-records.js';
import { containerPaths } from '../store/vordr-paths.js';
import { networksJson, refreshHostsFiles, type NetworkedContainer } from './container-network.js';
import { writeNetwork } from './network-store.js';

const root = mkdtempSync(join(tmpdir(), 'vordr-hosts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const id = (c: string) => c.repeat(64);
const net = (name: string, leases: Record<string, string>) => ({
  id: id('9'),
  name,
  bridge: `vc-${name}`,
  subnet: '10.89.7.0/24',
  gateway: '10.89.7.1',
  internal: false,
  labels: {},
  createdAt: '',
  leases,
});

describe('refreshHostsFiles', () => {
  it('lists own addresses, --add-host and the peers of shared networks, in place', async () => {
    const records = new ContainerRecords<NetworkedContainer>(root);
    const web: NetworkedContainer = {
      id: id('a'),
      name: 'web',
      hostname: 'web-host',
      networkAttachments: [{ network: 'front', aliases: ['www'], ip: '10.89.7.2' }],
      extraHosts: [{ name: 'db.example', ip: '192.0.2.7' }],
    };
    const api: NetworkedContainer = {
      id: id('b'),
      name: 'api',
      hostname: 'api',
      networkAttachments: [{ network: 'front', aliases: ['backend'], ip: '10.89.7.3' }],
    };
    const loner: NetworkedContainer = {
      id: id('c'),
      name: 'loner',
      hostname: 'loner',
      networkAttachments: [{ network: 'other', aliases: [] }],
    };
    for (const c of [web, api, loner]) {
      await records.write(c);
      writeFileSync(join(containerPaths(root, c.id).dir, 'hosts'), '');
    }
    await writeNetwork(root, net('front', { '10.89.7.3': api.id, '10.89.7.2': web.id }));
    await writeNetwork(root, net('other', {}));
    const hostsOf = (c: NetworkedContainer) => join(containerPaths(root, c.id).dir, 'hosts');
    const inode = statSync(hostsOf(web)).ino;

    await refreshHostsFiles(root, [web.id, api.id, loner.id]);
    expect(readFileSync(hostsOf(web), 'utf8').split('\n').slice(2)).toEqual([
      '10.89.7.2\tweb web-host www',
      '192.0.2.7\tdb.example',
      '10.89.7.3\tapi backend',
      '',
    ]);
    expect(statSync(hostsOf(web)).ino).toBe(inode);
    expect(readFileSync(hostsOf(api), 'utf8')).toContain('10.89.7.2\tweb www\n');
    expect(readFileSync(hostsOf(loner), 'utf8')).toContain('127.0.1.1\tloner\n');
    expect(networksJson(web.networkAttachments)).toEqual({
      front: { ip: '10.89.7.2', aliases: ['www'] },
    });
    expect(networksJson(loner.networkAttachments)).toEqual({ other: { ip: '', aliases: [] } });
  });
});
