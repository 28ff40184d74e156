// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { BackendEngine, backendOfRuntime } from './backend-engine.js';
import type { Backend, Engine } from './engine.js';

describe('backendOfRuntime', () => {
  it('reads --runtime runc|podman|PATH', () => {
    expect(backendOfRuntime(undefined)).toEqual({ backend: 'runc' });
    expect(backendOfRuntime('runc')).toEqual({ backend: 'runc' });
    expect(backendOfRuntime('podman')).toEqual({ backend: 'podman' });
    expect(backendOfRuntime('/opt/bin/podman')).toEqual({
      backend: 'podman',
      binary: '/opt/bin/podman',
    });
    expect(backendOfRuntime('/usr/local/sbin/runc')).toEqual({
      backend: 'runc',
      binary: '/usr/local/sbin/runc',
    });
  });
});

/** A fake engine (no runtime here): records which backend each call reached. */
function fakeEngine(backend: Backend, calls: string[]): Engine {
  const note = <T>(what: string, id: string, value: T): Promise<T> => {
    calls.push(`${backend}:${what}:${id}`);
    return Promise.resolve(value);
  };
  return {
    backend,
    preflight: () => Promise.resolve(),
    start: (request) => note('start', request.id, { pid: 1, conmonPid: 2, startedAt: '' }),
    state: (id) => note('state', id, undefined),
    conmonPid: (id) => note('conmonPid', id, undefined),
    exitStatus: (id) => note('exitStatus', id, undefined),
    exitFile: (id) => `/${backend}/${id}`,
    exitDir: `/${backend}`,
    kill: (id) => note('kill', id, undefined),
    stop: (id) => note('stop', id, { exitCode: 0 }),
    waitForExit: (id) => note('wait', id, { exitCode: 0 }),
    delete: (id) => note('delete', id, undefined),
    waitForMonitorGone: (id) => note('monitor', id, undefined),
    exec: (id) =>
      note('exec', id, {
        exitCode: 0,
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
        truncated: false,
        timedOut: false,
      }),
  };
}

describe('BackendEngine (fake engines)', () => {
  it("sends each call to the backend of the container's record, else to --runtime's", async () => {
    const calls: string[] = [];
    const records: Record<string, Backend> = { a: 'podman', b: 'runc' };
    const made: Backend[] = [];
    const engine = new BackendEngine({
      backend: 'runc',
      create: (backend) => (made.push(backend), fakeEngine(backend, calls)),
      backendOf: (id) => Promise.resolve(records[id]),
    });
    await engine.kill('a', 'TERM');
    await engine.stop('b', 1);
    await engine.delete('c');
    await engine.exec('a', { args: ['true'] });
    expect(calls).toEqual(['podman:kill:a', 'runc:stop:b', 'runc:delete:c', 'podman:exec:a']);
    expect(engine.exitFile('a')).toBe('/podman/a');
    expect(made.sort()).toEqual(['podman', 'runc']);
  });
});
