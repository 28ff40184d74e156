// SPDX-License-Identifier: Apache-2.0
// A tiny in-process fake of a served transparency log (03 §7 POST /api/v1/entries only), for the
// publishing tests. It appends to an in-memory RFC 9162 tree and answers with real proofs and SETs,
// or misbehaves on request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeStatement,
  attestationDigest,
  type DsseEnvelope,
} from '@verified-container/shared/attestation';
import type { Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { parseJson } from '@verified-container/shared/json';
import {
  MemorySubtreeHashes,
  hashToHex,
  inclusionProof,
  leafHash,
  rootAt,
} from '@verified-container/shared/merkle';
import { attestationLeaf, leafBytes, signSet } from '@verified-container/shared/tlog';

/** How the fake answers: honestly, with 503s for the first `n` requests, or a forged SET. */
export type FakeLogMode =
  { kind: 'honest' } | { kind: 'unavailable'; failures: number } | { kind: 'forged-set' };

export interface FakeLog {
  readonly url: string;
  readonly logId: string;
  /** Requests received (every attempt counts). */
  readonly requests: () => number;
  readonly size: () => number;
  close(): Promise<void>;
}

/** Starts a fake log on 127.0.0.1 (a free port); `close` stops it. */
export async function startFakeLog(
  logId: string,
  key: Ed25519PrivateKey,
  mode: FakeLogMode = { kind: 'honest' },
  integratedTime = '2026-11-25T10:00:05Z',
): Promise<FakeLog> {
  const tree = new MemorySubtreeHashes();
  const byDigest = new Map<string, { index: number; time: string }>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (mode.kind === 'unavailable' && requests <= mode.failures) {
        res.setHeader('retry-after', '0');
        return send(503, {
          type: 'about:blank',
          title: 'unavailable',
          status: 503,
          code: 'LOG_UNAVAILABLE',
        });
      }
      if (req.method !== 'POST' || req.url !== '/api/v1/entries') {
        return send(404, { code: 'LOG_NOT_FOUND' });
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { attestation: string };
        const envelope = parseJson(
          Buffer.from(body.attestation, 'base64'),
        ) as unknown as DsseEnvelope;
        if (decodeStatement(envelope, '$').statement === undefined)
          throw new Error('not a statement');
        const digest = attestationDigest(envelope);
        let known = byDigest.get(digest);
        const created = known === undefined;
        if (known === undefined) {
          const leaf = leafHash(leafBytes(attestationLeaf(envelope, integratedTime)));
          known = { index: tree.size(), time: integratedTime };
          tree.append(leaf);
          byDigest.set(digest, known);
        }
        const size = tree.size();
        const root = hashToHex(rootAt(tree, size));
        const leaf = hashToHex(leafHash(leafBytes(attestationLeaf(envelope, known.time))));
        const set = signSet(key, {
          logId,
          logIndex: known.index,
          integratedTime: known.time,
          leafHash: leaf,
          treeSize: size,
          rootHash: mode.kind === 'forged-set' ? '00'.repeat(32) : root,
        });
        send(created ? 201 : 200, {
          logId,
          logIndex: known.index,
          integratedTime: known.time,
          inclusionProof: {
            logIndex: known.index,
            rootHash: root,
            treeSize: size,
            hashes: inclusionProof(tree, known.index, size).map(hashToHex),
          },
          signedEntryTimestamp: set,
          attestationDigest: digest,
        });
      } catch (err) {
        send(400, { code: 'LOG_BAD_REQUEST', detail: (err as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logId,
    requests: () => requests,
    size: () => tree.size(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
