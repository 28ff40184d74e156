// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authFilePaths,
  basicAuthorization,
  credentialsFromAuthFile,
  readRegistryCredentials,
} from './auth-file.js';

const auth = (user: string, password: string) =>
  Buffer.from(`${user}:${password}`).toString('base64');
const file = (auths: Record<string, unknown>) => Buffer.from(JSON.stringify({ auths }));

describe('credentialsFromAuthFile', () => {
  it('finds the host, preferring the most specific repository key', () => {
    const bytes = file({
      'registry.example.org': { auth: auth('host', 'pw1') },
      'registry.example.org/team': { auth: auth('team', 'pw2') },
      'registry.example.org/team/app': { auth: auth('app', 'pw:3') },
    });
    expect(credentialsFromAuthFile(bytes, 'a.json', 'registry.example.org', 'team/app')).toEqual({
      username: 'app',
      password: 'pw:3',
      source: 'a.json',
    });
    expect(
      credentialsFromAuthFile(bytes, 'a.json', 'registry.example.org', 'team/other'),
    ).toMatchObject({
      username: 'team',
    });
    expect(credentialsFromAuthFile(bytes, 'a.json', 'registry.example.org', 'x')).toMatchObject({
      username: 'host',
    });
    expect(credentialsFromAuthFile(bytes, 'a.json', 'other.example.org', 'x')).toBeUndefined();
  });

  it("reads docker's URL keys and Docker Hub's old name", () => {
    const bytes = file({
      'https://index.docker.io/v1/': { auth: auth('hub', 'pw') },
      'http://localhost:5000': { auth: auth('local', 'pw') },
    });
    expect(credentialsFromAuthFile(bytes, 'c.json', 'docker.io', 'library/debian')).toMatchObject({
      username: 'hub',
    });
    expect(credentialsFromAuthFile(bytes, 'c.json', 'localhost:5000', 'x')).toMatchObject({
      username: 'local',
    });
  });

  it('skips entries without auth (credential helpers) and refuses malformed files', () => {
    const helper = Buffer.from(
      JSON.stringify({ auths: { 'r.example': {} }, credsStore: 'desktop' }),
    );
    expect(credentialsFromAuthFile(helper, 'h.json', 'r.example', 'x')).toBeUndefined();
    expect(() => credentialsFromAuthFile(Buffer.from('{'), 'bad.json', 'r.example', 'x')).toThrow(
      expect.objectContaining({
        code: 'READ_FAILED',
        message: expect.stringContaining('bad.json'),
      }),
    );
    const noColon = file({ 'r.example': { auth: Buffer.from('nocolon').toString('base64') } });
    expect(() => credentialsFromAuthFile(noColon, 'n.json', 'r.example', 'x')).toThrow(
      expect.objectContaining({ code: 'READ_FAILED' }),
    );
    const notBase64 = file({ 'r.example': { auth: 'not base64!' } });
    expect(() => credentialsFromAuthFile(notBase64, 'n.json', 'r.example', 'x')).toThrow(
      expect.objectContaining({ code: 'READ_FAILED' }),
    );
  });

  it('builds the basic Authorization value', () => {
    expect(basicAuthorization({ username: 'alice', password: 's3cret' })).toBe(
      `Basic ${auth('alice', 's3cret')}`,
    );
  });
});

describe('readRegistryCredentials', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-auth-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('consults REGISTRY_AUTH_FILE, then XDG_RUNTIME_DIR, then ~/.docker/config.json', async () => {
    const explicit = join(dir, 'explicit.json');
    const runtime = join(dir, 'run');
    mkdirSync(join(runtime, 'containers'), { recursive: true });
    mkdirSync(join(dir, '.docker'));
    writeFileSync(explicit, file({ 'a.example': { auth: auth('explicit', 'x') } }));
    writeFileSync(
      join(runtime, 'containers/auth.json'),
      file({
        'a.example': { auth: auth('runtime', 'x') },
        'b.example': { auth: auth('runtime', 'x') },
      }),
    );
    writeFileSync(
      join(dir, '.docker/config.json'),
      file({ 'c.example': { auth: auth('docker', 'x') } }),
    );
    const where = { env: { REGISTRY_AUTH_FILE: explicit, XDG_RUNTIME_DIR: runtime }, homeDir: dir };
    expect(authFilePaths(where)).toEqual([
      explicit,
      join(runtime, 'containers/auth.json'),
      join(dir, '.docker/config.json'),
    ]);
    expect(await readRegistryCredentials(where, 'a.example', 'r')).toMatchObject({
      username: 'explicit',
      source: explicit,
    });
    expect(await readRegistryCredentials(where, 'b.example', 'r')).toMatchObject({
      username: 'runtime',
    });
    expect(await readRegistryCredentials(where, 'c.example', 'r')).toMatchObject({
      username: 'docker',
    });
    expect(await readRegistryCredentials(where, 'd.example', 'r')).toBeUndefined();
  });

  it('skips missing files', async () => {
    const where = { env: { REGISTRY_AUTH_FILE: join(dir, 'missing.json') }, homeDir: dir };
    expect(await readRegistryCredentials(where, 'a.example', 'r')).toBeUndefined();
  });
});
