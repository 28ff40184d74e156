// SPDX-License-Identifier: Apache-2.0
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpFetcher, redactUrl } from './http-fetcher.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server for one test; disposing closes it. */
async function serve(handler: Handler) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

const sleeps: number[] = [];
const quick = (over = {}) =>
  new HttpFetcher({
    backoffMs: 10,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...over,
  });

describe('HttpFetcher', () => {
  it('follows up to 5 redirects and asks for the identity encoding', async () => {
    const seen: (string | undefined)[] = [];
    await using s = await serve((req, res) => {
      seen.push(req.headers['accept-encoding']);
      const n = Number(req.url?.slice(1));
      if (n > 0) res.writeHead(302, { location: `/${n - 1}` }).end();
      else res.end('done');
    });
    expect(await text(await quick().fetch(`${s.base}/5`))).toBe('done');
    expect(seen.every((e) => e === 'identity')).toBe(true);
    await expect(quick().fetch(`${s.base}/6`)).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
      message: /more than 5 redirects/,
    });
  });

  it('never follows https → http', async () => {
    const fake: typeof fetch = (input) =>
      Promise.resolve(
        (input instanceof URL ? input.href : String(input as string)).startsWith('https:')
          ? new Response(null, { status: 301, headers: { location: 'http://example.org/x' } })
          : new Response('downgraded'),
      );
    await expect(quick({ fetch: fake }).fetch('https://example.org/x')).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
      message: /refusing a redirect from https to http:\/\/example\.org\/x/,
    });
  });

  it('retries 5xx and network errors 3 times with exponential backoff', async () => {
    let calls = 0;
    await using s = await serve((_req, res) => {
      calls += 1;
      if (calls < 3) res.writeHead(503).end();
      else res.end('ok');
    });
    sleeps.length = 0;
    expect(await text(await quick().fetch(`${s.base}/f`))).toBe('ok');
    expect(sleeps).toEqual([10, 20]);

    // A closed port: unreachable after 1 + 3 attempts.
    const closed = await serve(() => undefined);
    const url = `${closed.base}/x`;
    await closed[Symbol.asyncDispose]();
    sleeps.length = 0;
    await expect(quick().fetch(url)).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
      message: /ECONNREFUSED/,
    });
    expect(sleeps).toEqual([10, 20, 40]);
  });

  it('does not retry a 404', async () => {
    let calls = 0;
    await using s = await serve((_req, res) => {
      calls += 1;
      res.writeHead(404).end();
    });
    await expect(quick().fetch(`${s.base}/x`)).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
    });
    expect(calls).toBe(1);
  });

  it('refuses bodies over the limit, declared or streamed', async () => {
    await using s = await serve((req, res) => {
      if (req.url === '/declared')
        res.writeHead(200, { 'content-length': '100' }).end('x'.repeat(100));
      else {
        res.write('x'.repeat(60));
        res.end('y'.repeat(60));
      }
    });
    await expect(quick({ maxBytes: 50 }).fetch(`${s.base}/declared`)).rejects.toMatchObject({
      message: /100 bytes, more than 50/,
    });
    const body = await quick({ maxBytes: 100 }).fetch(`${s.base}/chunked`);
    await expect(text(body)).rejects.toMatchObject({
      code: 'BUILD_FETCH_FAILED',
      message: /more than 100 bytes/,
    });
  });

  it('refuses other schemes and keeps credentials out of messages', async () => {
    await expect(quick().fetch('ftp://example.org/x')).rejects.toMatchObject({
      message: /unsupported scheme ftp:/,
    });
    expect(redactUrl('https://user:token@example.org/a?b=1')).toBe('https://example.org/a?b=1');
    const refused = quick({ fetch: () => Promise.resolve(new Response(null, { status: 403 })) });
    const err = await refused.fetch('https://user:token@example.org/a').catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain('token');
  });
});
