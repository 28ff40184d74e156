// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '@verified-container/shared';
import {
  verifyCheckpoint,
  verifyTreeHead,
  type SignedTreeHead,
} from '@verified-container/shared/tlog';
import { tempDir } from '../../test/support.js';
import { submissionBody } from '../../test/tlog-support.js';
import { openFileLog, type FileLog } from './file-log.js';
import { initLog } from './init-log.js';
import { handleLogRequest, type LogApiRequest } from './log-api.js';

const clock = fixedClock(new Date('2026-11-25T10:00:05Z'));
let tmp: { path: string; [Symbol.dispose](): void };
let log: FileLog;

beforeEach(async () => {
  tmp = tempDir('ct-tlog-api-');
  const dir = join(tmp.path, 'api-log');
  await initLog({ dir, logId: 'api-log', clock });
  log = await openFileLog(dir, { clock, mode: 'served' });
});
afterEach(async () => {
  await log.close();
  tmp[Symbol.dispose]();
});

function req(
  method: string,
  url: string,
  body?: string,
  contentType = 'application/json',
): LogApiRequest {
  const u = new URL(url, 'http://x');
  return {
    method,
    path: u.pathname,
    query: u.searchParams,
    contentType,
    body: body === undefined ? undefined : new TextEncoder().encode(body),
  };
}

function code(r: { json?: unknown }): unknown {
  return (r.json as { code?: string }).code;
}

describe('handleLogRequest', () => {
  it('adds an entry (201 + Location), then answers a duplicate with 200', async () => {
    const created = await handleLogRequest(log, req('POST', '/api/v1/entries', submissionBody(1)));
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe('/api/v1/entries/0');
    const dup = await handleLogRequest(log, req('POST', '/api/v1/entries', submissionBody(1)));
    expect(dup.status).toBe(200);
    expect((dup.json as { logIndex: number }).logIndex).toBe(0);
  });

  it('serves entries, lookups, proofs and heads', async () => {
    for (let i = 0; i < 3; i++)
      await handleLogRequest(log, req('POST', '/api/v1/entries', submissionBody(i)));
    const entry = await handleLogRequest(log, req('GET', '/api/v1/entries/2'));
    expect(entry.status).toBe(200);
    expect(entry.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const digest = (entry.json as { entry: { body: { attestationDigest: string } } }).entry.body
      .attestationDigest;
    const found = await handleLogRequest(
      log,
      req('GET', `/api/v1/entries?attestationDigest=${digest}`),
    );
    expect(found.json).toEqual({
      entries: [{ logIndex: 2, integratedTime: '2026-11-25T10:00:05Z', entryType: 'attestation' }],
    });
    const proof = await handleLogRequest(log, req('GET', '/api/v1/proof?logIndex=1&treeSize=3'));
    expect(proof.json).toMatchObject({ logIndex: 1, treeSize: 3 });
    const cons = await handleLogRequest(log, req('GET', '/api/v1/consistency?first=1'));
    expect(cons.json).toMatchObject({ first: 1, second: 3 });
    const sth = await handleLogRequest(log, req('GET', '/api/v1/sth'));
    expect(sth.headers['cache-control']).toBe('no-store');
    expect(verifyTreeHead(log.publicKey, sth.json as SignedTreeHead)).toBe(true);
    expect(Object.keys(sth.json as object)).toEqual([
      'logId',
      'treeSize',
      'timestamp',
      'rootHash',
      'signature',
    ]);
    const cp = await handleLogRequest(log, req('GET', '/checkpoint'));
    expect(cp.headers['content-type']).toBe('text/plain; charset=utf-8');
    const verified = verifyCheckpoint(cp.text ?? '', 'api-log', log.publicKey);
    expect(verified.valid).toBe(true);
    expect(verified.checkpoint?.treeSize).toBe(3);
    const health = await handleLogRequest(log, req('GET', '/healthz'));
    expect(health.json).toEqual({ status: 'ok', logId: 'api-log', treeSize: 3 });
  });

  it.each([
    ['not JSON', 'nope'],
    ['both members', JSON.stringify({ attestation: 'AA==', revocation: 'AA==' })],
    ['not base64', JSON.stringify({ attestation: '***' })],
    ['not an envelope', JSON.stringify({ attestation: Buffer.from('{"a":1}').toString('base64') })],
    ['duplicate member', `{"attestation":"AA==","attestation":"AA=="}`],
  ])('rejects a body that is %s with 400 LOG_BAD_REQUEST', async (_what, body) => {
    const r = await handleLogRequest(log, req('POST', '/api/v1/entries', body));
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.json).toMatchObject({ type: 'about:blank', status: 400, code: 'LOG_BAD_REQUEST' });
  });

  it('maps the other errors of 03 §7', async () => {
    const r415 = await handleLogRequest(
      log,
      req('POST', '/api/v1/entries', submissionBody(1), 'text/plain'),
    );
    expect([r415.status, code(r415)]).toEqual([415, 'LOG_UNSUPPORTED_MEDIA_TYPE']);
    const r405 = await handleLogRequest(log, req('DELETE', '/api/v1/sth'));
    expect([r405.status, code(r405), r405.headers['allow']]).toEqual([
      405,
      'LOG_METHOD_NOT_ALLOWED',
      'GET',
    ]);
    const r404 = await handleLogRequest(log, req('GET', '/api/v1/entries/0'));
    expect([r404.status, code(r404)]).toEqual([404, 'LOG_NOT_FOUND']);
    const path404 = await handleLogRequest(log, req('GET', '/nope'));
    expect(path404.status).toBe(404);
    for (const q of ['logIndex=01', 'logIndex=-1', 'logIndex=1e3', 'logIndex=9007199254740992']) {
      const bad = await handleLogRequest(log, req('GET', `/api/v1/proof?${q}`));
      expect([q, bad.status]).toEqual([q, 400]);
    }
    const tooBig = await handleLogRequest(log, req('GET', '/api/v1/consistency?first=0&second=5'));
    expect(tooBig.status).toBe(400);
  });
});
