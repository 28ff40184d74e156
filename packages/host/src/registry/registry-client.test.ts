// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { MemoryRegistry, ScriptedTransport, recorded, replay } from '@verified-container/testkit';

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const noSleep = () => Promise.resolve();
/** The mismatch code these tests give the client. */
const MISMATCH = 'TEST_DIGEST_MISMATCH';

function client(
  transport: RegistryClientOptions['transport'],
  extra: Partial<RegistryClientOptions> = {},
) {
  return new RegistryClient({
    host: 'reg.example.org',
    mismatchCode: MISMATCH,
    transport,
    sleep: noSleep,
    ...extra,
  });
}

const manifestBytes = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 },
    layers: [],
  }),
);
const manifestDigest = sha(manifestBytes);
const manifestResponse = (body: Uint8Array = manifestBytes, digest = manifestDigest) =>
  recorded(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': digest }, body);

describe('RegistryClient authentication', () => {
  it('answers a Bearer challenge with a token (basic credentials to the realm) and retries', async () => {
    const transport = replay(
      recorded(401, {
        'www-authenticate':
          'Bearer realm="https://auth.example.org/token",service="reg.example.org",scope="repository:team/app:pull"',
      }),
      recorded(200, {}, JSON.stringify({ token: 'tok-1' })),
      manifestResponse(),
    );
    const c = client(transport, { credentials: { username: 'alice', password: 'pw' } });
    const got = await c.getManifest('team/app', '1.0');
    expect(got.digest).toBe(manifestDigest);
    const [first, token, retry] = transport.requests;
    expect(first?.url).toBe('https://reg.example.org/v2/team/app/manifests/1.0');
    expect(first?.headers['authorization']).toBeUndefined();
    expect(first?.headers['accept']).toContain('application/vnd.oci.image.index.v1+json');
    const tokenUrl = new URL(token!.url);
    expect(`${tokenUrl.origin}${tokenUrl.pathname}`).toBe('https://auth.example.org/token');
    expect(tokenUrl.searchParams.get('service')).toBe('reg.example.org');
    expect(tokenUrl.searchParams.getAll('scope')).toEqual(['repository:team/app:pull']);
    expect(token?.headers['authorization']).toBe(
      `Basic ${Buffer.from('alice:pw').toString('base64')}`,
    );
    expect(retry?.headers['authorization']).toBe('Bearer tok-1');
  });

  it('fetches anonymous tokens (access_token) for the scope the request needs', async () => {
    const transport = replay(
      recorded(401, { 'www-authenticate': 'Bearer realm="https://reg.example.org/token"' }),
      recorded(200, {}, JSON.stringify({ access_token: 'anon' })),
      recorded(200),
    );
    expect(await client(transport).hasBlob('app', sha('x'))).toBe(true);
    const token = new URL(transport.requests[1]!.url);
    expect(token.searchParams.getAll('scope')).toEqual(['repository:app:pull']);
    expect(transport.requests[1]?.headers['authorization']).toBeUndefined();
    expect(transport.requests[2]?.headers['authorization']).toBe('Bearer anon');

    // An upload asks for pull,push when the challenge names no scope.
    const push = replay(
      recorded(404),
      recorded(401, {
        'www-authenticate': 'Bearer realm="https://reg.example.org/token",service="reg"',
      }),
      recorded(200, {}, JSON.stringify({ token: 'rw' })),
      recorded(202, { location: '/v2/app/blobs/uploads/u1?_state=s' }),
      recorded(201, { 'docker-content-digest': sha('x') }),
    );
    const upload = await client(push).uploadBlob(
      'app',
      { mediaType: 'x', digest: sha('x'), size: 1 },
      async function* () {
        await Promise.resolve();
        yield Buffer.from('x');
      },
    );
    expect(upload).toEqual({ uploaded: true });
    expect(new URL(push.requests[2]!.url).searchParams.getAll('scope')).toEqual([
      'repository:app:pull,push',
    ]);
    expect(push.requests[3]?.headers['authorization']).toBe('Bearer rw');
    expect(push.requests[4]?.headers['authorization']).toBe('Bearer rw');
    expect(push.requests[4]?.url).toBe(
      `https://reg.example.org/v2/app/blobs/uploads/u1?_state=s&digest=${encodeURIComponent(sha('x'))}`,
    );
    expect(Buffer.from(push.requests[4]!.body!).toString()).toBe('x');
  });

  it('answers a Basic challenge with the credentials, then sends them on every request', async () => {
    const transport = replay(
      recorded(401, { 'www-authenticate': 'Basic realm="registry"' }),
      manifestResponse(),
      manifestResponse(),
    );
    const c = client(transport, {
      credentials: { username: 'u', password: 'p', source: 'auth.json' },
    });
    await c.getManifest('app', '1');
    await c.getManifest('app', '1');
    const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;
    expect(transport.requests.map((r) => r.headers['authorization'])).toEqual([
      undefined,
      basic,
      basic,
    ]);
  });

  it('is REGISTRY_UNAUTHORIZED without credentials, with refused ones, and on 403', async () => {
    await expect(
      client(replay(recorded(401, { 'www-authenticate': 'Basic realm="r"' }))).getManifest(
        'app',
        '1',
      ),
    ).rejects.toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      message: expect.stringContaining('no credentials were found'),
      hint: expect.stringContaining('podman login reg.example.org'),
    });
    const refused = replay(
      recorded(401, { 'www-authenticate': 'Basic realm="r"' }),
      recorded(
        401,
        { 'www-authenticate': 'Basic realm="r"' },
        '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
      ),
    );
    await expect(
      client(refused, {
        credentials: { username: 'u', password: 'bad', source: '/run/auth.json' },
      }).getManifest('app', '1'),
    ).rejects.toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      message: expect.stringContaining('refused the credentials from /run/auth.json'),
    });
    const tokenRefused = replay(
      recorded(401, { 'www-authenticate': 'Bearer realm="https://reg.example.org/token"' }),
      recorded(401),
    );
    await expect(client(tokenRefused).getManifest('app', '1')).rejects.toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
    });
    await expect(
      client(
        replay(
          recorded(
            403,
            {},
            '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
          ),
        ),
      ).getManifest('app', '1'),
    ).rejects.toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      message: expect.stringContaining('DENIED: requested access to the resource is denied'),
    });
  });

  it('never sends credentials to a plain-http realm of an https registry', async () => {
    const transport = replay(
      recorded(401, { 'www-authenticate': 'Bearer realm="http://auth.example.org/token"' }),
    );
    await expect(
      client(transport, { credentials: { username: 'u', password: 'p' } }).getManifest('app', '1'),
    ).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: expect.stringContaining('refusing'),
    });
    expect(transport.requests).toHaveLength(1);
  });
});

describe('RegistryClient digests', () => {
  it('reports the digest of the received bytes and checks a digest reference', async () => {
    const c = client(replay(manifestResponse(), manifestResponse()));
    expect((await c.getManifest('app', manifestDigest)).descriptor).toEqual({
      mediaType: OCI_MANIFEST,
      digest: manifestDigest,
      size: manifestBytes.byteLength,
    });
    const tampered = Buffer.from(
      manifestBytes.toString('utf8').replace('"layers":[]', '"layers":[] '),
    );
    const bad = client(replay(recorded(200, { 'content-type': OCI_MANIFEST }, tampered)));
    await expect(bad.getManifest('app', manifestDigest)).rejects.toMatchObject({
      code: MISMATCH,
      details: { expected: manifestDigest, actual: sha(tampered) },
    });
  });

  it('refuses bytes that differ from the Docker-Content-Digest header or the expected size', async () => {
    const c = client(replay(manifestResponse(manifestBytes, sha('other'))));
    await expect(c.getManifest('app', 'latest')).rejects.toMatchObject({
      code: MISMATCH,
    });
    const sized = client(replay(manifestResponse()));
    await expect(
      sized.getManifest('app', manifestDigest, { digest: manifestDigest, size: 1 }),
    ).rejects.toMatchObject({
      code: MISMATCH,
      message: expect.stringContaining('size'),
    });
  });

  describe('blobs into a content-addressed directory', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ct-blob-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const target = () => ({ tmpDir: dir, dir: join(dir, 'blobs') });
    const layer = Buffer.from('layer bytes');
    const descriptor = { mediaType: 'x', digest: sha(layer), size: layer.byteLength };

    it('stores verified bytes, following a redirect without the Authorization header', async () => {
      const transport = replay(
        recorded(401, { 'www-authenticate': 'Basic realm="r"' }),
        recorded(307, { location: 'https://storage.example.net/blob?sig=1' }),
        recorded(200, {}, layer),
      );
      const c = client(transport, { credentials: { username: 'u', password: 'p' } });
      const seen: number[] = [];
      await c.downloadBlob('app', descriptor, target(), (n) => seen.push(n));
      expect(readFileSync(join(dir, 'blobs', descriptor.digest.slice(7)))).toEqual(layer);
      expect(seen).toEqual([layer.byteLength]);
      expect(transport.requests[1]?.headers['authorization']).toMatch(/^Basic /);
      expect(transport.requests[2]?.url).toBe('https://storage.example.net/blob?sig=1');
      expect(transport.requests[2]?.headers['authorization']).toBeUndefined();
      // Present now: no request at all.
      await client(replay()).downloadBlob('app', descriptor, target());
    });

    it.each([
      ['tampered bytes', Buffer.from('layer bytez')],
      ['more bytes', Buffer.concat([layer, Buffer.from('!')])],
      ['fewer bytes', layer.subarray(1)],
    ])('%s are the mismatch code and nothing is stored', async (_name, served) => {
      const c = client(replay(recorded(200, {}, served)));
      await expect(c.downloadBlob('app', descriptor, target())).rejects.toMatchObject({
        code: MISMATCH,
      });
      expect(existsSync(join(dir, 'blobs', descriptor.digest.slice(7)))).toBe(false);
    });

    it('refuses https → http redirects', async () => {
      const c = client(replay(recorded(302, { location: 'http://storage.example.net/blob' })));
      await expect(c.downloadBlob('app', descriptor, target())).rejects.toMatchObject({
        code: 'REGISTRY_ERROR',
      });
    });
  });
});

describe('RegistryClient errors and retries', () => {
  it('retries GET after 503 and network failures, then gives up with REGISTRY_UNAVAILABLE', async () => {
    let calls = 0;
    const flaky = new ScriptedTransport(() => {
      calls++;
      if (calls === 1) throw new VcError('REGISTRY_UNAVAILABLE', 'connection refused');
      if (calls === 2) return recorded(503);
      return manifestResponse();
    });
    await client(flaky).getManifest('app', '1');
    expect(calls).toBe(3);
    const down = new ScriptedTransport(() => {
      throw new VcError('REGISTRY_UNAVAILABLE', 'connection refused');
    });
    await expect(client(down, { retries: 1 }).getManifest('app', '1')).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
    });
    expect(down.requests).toHaveLength(2);
    await expect(
      client(replay(recorded(503), recorded(503), recorded(503))).getManifest('app', '1'),
    ).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
  });

  it('does not retry PUT', async () => {
    const transport = replay(recorded(500, {}, '{"errors":[{"code":"UNKNOWN","message":"boom"}]}'));
    await expect(
      client(transport).putManifest('app', '1', manifestBytes, OCI_MANIFEST),
    ).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: expect.stringContaining('HTTP 500'),
    });
    expect(transport.requests).toHaveLength(1);
  });

  it('is REGISTRY_NOT_FOUND for a missing manifest or blob', async () => {
    await expect(
      client(
        replay(
          recorded(
            404,
            {},
            '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
          ),
        ),
      ).getManifest('app', '9'),
    ).rejects.toMatchObject({
      code: 'REGISTRY_NOT_FOUND',
      message: expect.stringContaining('MANIFEST_UNKNOWN: manifest unknown'),
    });
    await expect(
      client(replay(recorded(404))).openBlob('app', { mediaType: 'x', digest: sha('x'), size: 1 }),
    ).rejects.toMatchObject({ code: 'REGISTRY_NOT_FOUND' });
  });
});

describe('RegistryClient against the in-memory registry', () => {
  it('uploads once (HEAD, POST, PUT ?digest=), then skips', async () => {
    const registry = new MemoryRegistry();
    const c = client(registry);
    const blob = Buffer.from('hello blob');
    const d = { mediaType: 'x', digest: sha(blob), size: blob.byteLength };
    const open = async function* () {
      await Promise.resolve();
      yield blob;
    };
    expect(await c.uploadBlob('team/app', d, open)).toEqual({ uploaded: true });
    expect(registry.requests.map((r) => r.method)).toEqual(['HEAD', 'POST', 'PUT']);
    const put = new URL(registry.requests[2]!.url);
    expect(put.searchParams.get('digest')).toBe(d.digest);
    expect(put.searchParams.get('_state')).toBe('x');
    expect(registry.requests[2]?.headers['content-length']).toBe(String(blob.byteLength));
    expect(await c.uploadBlob('team/app', d, open)).toEqual({ uploaded: false });
    expect(await c.hasBlob('team/app', d.digest)).toBe(true);
  });

  it('puts manifests by tag and digest, heads them, lists tags, probes referrers', async () => {
    const registry = new MemoryRegistry();
    const c = client(registry);
    await c.uploadBlob('app', { mediaType: 'x', digest: sha('{}'), size: 2 }, async function* () {
      await Promise.resolve();
      yield Buffer.from('{}');
    });
    expect(await c.putManifest('app', '1.0', manifestBytes, OCI_MANIFEST)).toEqual({
      digest: manifestDigest,
    });
    expect(await c.putManifest('app', manifestDigest, manifestBytes, OCI_MANIFEST)).toEqual({
      digest: manifestDigest,
    });
    expect(await c.headManifest('app', '1.0')).toEqual({
      mediaType: OCI_MANIFEST,
      digest: manifestDigest,
      size: manifestBytes.byteLength,
    });
    expect(await c.headManifest('app', 'nope')).toBeUndefined();
    expect(await c.listTags('app')).toEqual(['1.0']);
    expect(await c.referrers('app', manifestDigest)).toEqual({ supported: false, manifests: [] });
    expect(
      await client(new MemoryRegistry({ referrers: true })).referrers('app', manifestDigest),
    ).toEqual({ supported: true, manifests: [] });
  });

  it('follows Link pages of the tag list', async () => {
    const transport = replay(
      recorded(
        200,
        { link: '</v2/app/tags/list?n=1&last=a>; rel="next"' },
        '{"name":"app","tags":["a"]}',
      ),
      recorded(200, {}, '{"name":"app","tags":["b"]}'),
    );
    expect(await client(transport).listTags('app')).toEqual(['a', 'b']);
    expect(transport.requests[1]?.url).toBe('https://reg.example.org/v2/app/tags/list?n=1&last=a');
  });

  it('refuses a stored digest other than the one pushed', async () => {
    const transport = replay(recorded(201, { 'docker-content-digest': sha('else') }));
    await expect(
      client(transport).putManifest('app', '1', manifestBytes, OCI_MANIFEST),
    ).rejects.toMatchObject({
      code: MISMATCH,
    });
  });
});
