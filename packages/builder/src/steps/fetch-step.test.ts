// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFetcher } from './http-fetcher.js';
import { runSteps } from './run-steps.js';
import { MapFetcher, parseSteps, stepsFixture } from './test-support.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const BODY = 'wordpress-6.4.2 tarball bytes';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/wordpress.tar.gz') res.end(BODY);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const fetcher = () => new HttpFetcher({ backoffMs: 1, retries: 1 });

describe('fetch over http', () => {
  it('downloads, checks the hash before writing, and records the input', async () => {
    using f = stepsFixture({ fetcher: fetcher() });
    const steps = parseSteps(`
[[build.steps]]
action = "fetch"
url = "${base}/wordpress.tar.gz"
dest = "/tmp/wordpress.tar.gz"
hash = "sha256:${sha256(BODY)}"
mode = "0600"`);
    await runSteps(steps, f.ctx);
    expect(f.rootfs.get('/tmp/wordpress.tar.gz')).toMatchObject({
      type: 'f',
      mode: 0o600,
      digest: sha256(BODY),
      size: BODY.length,
    });
    expect(f.inputs.fetches).toEqual([
      { step: 0, url: `${base}/wordpress.tar.gz`, sha256: sha256(BODY), size: BODY.length },
    ]);
  });

  it('a wrong hash → BUILD_HASH_MISMATCH and nothing is written', async () => {
    using f = stepsFixture({ fetcher: fetcher() });
    const wrong = 'b'.repeat(64);
    const steps = parseSteps(`
[[build.steps]]
action = "fetch"
url = "${base}/wordpress.tar.gz"
dest = "/tmp/wp.tgz"
hash = "sha256:${wrong}"`);
    await expect(runSteps(steps, f.ctx)).rejects.toMatchObject({
      code: 'BUILD_HASH_MISMATCH',
      message: `build.steps[0] (fetch): sha256 mismatch for ${base}/wordpress.tar.gz: expected ${wrong}, got ${sha256(BODY)}`,
    });
    expect(f.rootfs.size).toBe(0);
    expect(f.inputs.fetches).toEqual([]);
  });

  it('without a hash, the next verify-hash is checked before writing and names that step', async () => {
    using f = stepsFixture({ fetcher: fetcher(), manifestFile: 'php-aegis-wordpress.ctp' });
    const wrong = 'c'.repeat(64);
    const steps = (hash: string) =>
      parseSteps(`
[[build.steps]]
action = "fetch"
url = "${base}/wordpress.tar.gz"
dest = "/tmp/wordpress.tar.gz"
[[build.steps]]
action = "verify-hash"
file = "/tmp/wordpress.tar.gz"
hash = "sha256:${hash}"`);
    await expect(runSteps(steps(wrong), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_HASH_MISMATCH',
      message: `php-aegis-wordpress.ctp: build.steps[1] (verify-hash): sha256 mismatch for /tmp/wordpress.tar.gz: expected ${wrong}, got ${sha256(BODY)}`,
      details: { step: 1, action: 'verify-hash' },
    });
    expect(f.rootfs.size).toBe(0);
    await runSteps(steps(sha256(BODY)), f.ctx);
    expect(f.rootfs.get('/tmp/wordpress.tar.gz')?.digest).toBe(sha256(BODY));
  });

  it('an unreachable URL → BUILD_FETCH_FAILED naming the step', async () => {
    using f = stepsFixture({ fetcher: fetcher() });
    const steps = parseSteps(`
[[build.steps]]
action = "fetch"
url = "${base}/missing"
dest = "/x"
hash = "sha256:${'0'.repeat(64)}"`);
    await expect(runSteps(steps, f.ctx)).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
      message: /build\.steps\[0\] \(fetch\): cannot fetch .*HTTP 404/,
    });
  });
});

describe('fetch from the context and limits', () => {
  it('file: copies a context file, recorded as a context input', async () => {
    using f = stepsFixture();
    writeFileSync(join(f.contextDir, 'plugin.zip'), 'zip bytes');
    await runSteps(
      parseSteps(`
[[build.steps]]
action = "fetch"
url = "file:plugin.zip"
dest = "/opt/plugin.zip"
hash = "sha256:${sha256('zip bytes')}"`),
      f.ctx,
    );
    expect(await f.rootfs.readText('/opt/plugin.zip')).toBe('zip bytes');
    expect(f.inputs.fetches).toEqual([]);
    expect(f.inputs.contextFiles).toEqual([
      { path: 'plugin.zip', sha256: sha256('zip bytes'), size: 9, mode: 0o644 },
    ]);
  });

  it('refuses a body over the limit and a directory as dest', async () => {
    using f = stepsFixture({
      fetcher: new MapFetcher({ 'https://example.org/big': 'x'.repeat(100) }),
      maxFetchBytes: 10,
    });
    const step = (dest: string) =>
      parseSteps(`
[[build.steps]]
action = "fetch"
url = "https://example.org/big"
dest = "${dest}"
hash = "sha256:${'0'.repeat(64)}"`);
    await expect(runSteps(step('/big'), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
      message: /larger than 10 bytes/,
    });
    f.rootfs.mkdirp('/dir');
    await expect(runSteps(step('/dir'), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /is a directory/,
    });
  });
});
