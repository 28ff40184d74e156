// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { podmanContainersConf, podmanDirs, podmanGlobalArgs } from './podman-conf.js';
import { diedContainerId, podmanMessage, runtimeStatus } from './podman-engine.js';

const ID = 'ef'.repeat(32);

describe('podman configuration under the store', () => {
  const dirs = podmanDirs('/store/vordr/podman');

  it('writes the containers.conf podman needs here (environment.md §3)', () => {
    const conf = podmanContainersConf(dirs);
    expect(conf).toContain('default_ulimits = []');
    expect(conf).toContain('cgroup_manager = "cgroupfs"');
    expect(conf).toContain('events_logger = "file"');
    expect(conf).toContain('events_logfile_path = "/store/vordr/podman/events.log"');
    expect(conf).toContain('runtime = "runc"');
  });

  it('keeps storage, run and tmp state in the store, without overlay mounts', () => {
    const args = podmanGlobalArgs(dirs);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--root')).toBe('/store/vordr/podman/storage');
    expect(value('--runroot')).toBe('/store/vordr/podman/run');
    expect(value('--tmpdir')).toBe('/store/vordr/podman/tmp');
    expect(value('--storage-driver')).toBe('vfs');
    expect(value('--network-config-dir')).toBe('/store/vordr/podman/networks');
  });
});

describe('podman answers', () => {
  it("maps podman's states onto runc's", () => {
    expect(runtimeStatus('running')).toBe('running');
    expect(runtimeStatus('stopping')).toBe('running');
    expect(runtimeStatus('created')).toBe('created');
    expect(runtimeStatus('exited')).toBe('stopped');
    expect(runtimeStatus('stopped')).toBe('stopped');
    expect(runtimeStatus('paused')).toBe('paused');
  });

  it('takes the vordr id of died events of its own containers only', () => {
    const event = (status: string, attributes: Record<string, string>) =>
      JSON.stringify({ ID: 'x', Name: 'vc-x', Status: status, Attributes: attributes });
    expect(diedContainerId(event('died', { 'org.verified-container.id': ID }))).toBe(ID);
    expect(diedContainerId(event('start', { 'org.verified-container.id': ID }))).toBeUndefined();
    expect(diedContainerId(event('died', {}))).toBeUndefined();
    expect(diedContainerId(event('died', { 'org.verified-container.id': 'nope' }))).toBeUndefined();
    expect(diedContainerId('not json')).toBeUndefined();
  });

  it("reads podman's error line", () => {
    expect(
      podmanMessage(
        'time="x" level=warning msg="w"\nError: no container with name or ID "vc-1" found: no such container\n',
      ),
    ).toBe('no container with name or ID "vc-1" found: no such container');
    expect(podmanMessage('something odd\n')).toBe('something odd');
  });
});
