// SPDX-License-Identifier: Apache-2.0
// Fixtures are plain JSON edited in place by each case, so they are typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return */
import { describe, expect, it } from 'vitest';
import { encodeBase64, privateKeyFromSeed } from '../crypto/index.js';
import {
  BUNDLE_MEDIA_TYPE,
  checkBundle,
  comparePaths,
  parseBundle,
  serializeBundle,
  type AttestationBundle,
} from './bundle.js';
import { addSignature, attestationDigest, signEnvelope } from './dsse.js';

const seed = (b: number) => privateKeyFromSeed(new Uint8Array(32).fill(b));
const m1 = seed(0x11);
const m2 = seed(0x12);

// The two statements of 02 §11.1, as JCS.
const PROVENANCE =
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"buildDefinition":{"buildType":"https://verified-container.org/cerro-torre/build/v1","externalParameters":{"lock":{"digest":{"sha256":"acac86c0e609ca906f632b0e2dacccb2b77d22b0621f20ebece1a4835b93f6f0"},"path":"hello.lock.json"},"manifest":{"digest":{"sha256":"62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"},"path":"hello.ctp"},"sourceDateEpoch":0},"internalParameters":{"builderVersion":"0.1.0"},"resolvedDependencies":[{"digest":{"sha256":"9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91"},"name":"busybox","uri":"pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12"}]},"runDetails":{"builder":{"id":"https://verified-container.org/cerro-torre/builder/local/v1","version":{"cerro-torre":"0.1.0"}},"metadata":{"finishedOn":"2026-11-25T10:00:04Z","invocationId":"7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11","startedOn":"2026-11-25T10:00:00Z"}}},"predicateType":"https://slsa.dev/provenance/v1","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}';
const SBOM =
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"SPDXID":"SPDXRef-DOCUMENT","dataLicense":"CC0-1.0","name":"hello-1.0.0","spdxVersion":"SPDX-2.3"},"predicateType":"https://spdx.dev/Document","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}';

const utf8 = (s: string) => new TextEncoder().encode(s);
const envelope = (statement: string) => addSignature(signEnvelope(utf8(statement), m1), m2);

const entry = (logId: string, logIndex: number, digest: string, extra: object = {}) => ({
  logId,
  logIndex,
  integratedTime: '2026-11-25T10:00:05Z',
  inclusionProof: {
    logIndex,
    treeSize: logIndex + 1,
    rootHash: '674186eb87530119f11c4630ff0497a96c667a88bdf20675649784f14eab284f',
    hashes: ['bb8f53dfb4e12273d95d1255c76c35659aee10e356f5beb533a6a64460b00965'],
  },
  signedEntryTimestamp:
    'b3h63BYA8zR9xf+L3JM7GyVjSwk02opqJ2pgqAhOOMO/9vOixV4QXeHyM7mDmvjzjdqT915xbNzNso5xzI4wDg==',
  attestationDigest: digest,
  ...extra,
});

/** The bundle of 02 §11.1 (proof contents are only checked for structure here). */
function bundle(): Record<string, any> {
  const attestations = [envelope(PROVENANCE), envelope(SBOM)];
  const [d0, d1] = attestations.map(attestationDigest) as [string, string];
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    version: '0.1.0',
    attestations,
    logEntries: [
      entry('cerro-torre-log', 5, d0),
      entry('cerro-torre-log', 6, d1),
      entry('local-file-log', 2, d0),
      entry('local-file-log', 3, d1),
    ],
    metadata: {
      producer: 'cerro-torre',
      producerVersion: '0.1.0',
      createdAt: '2026-11-25T10:00:06Z',
    },
  };
}

const text = (b: Record<string, any>) => serializeBundle(b as AttestationBundle);
const codesAndPaths = (problems: readonly { code: string; path?: string }[]) =>
  problems.map((p) => [p.code, p.path]);
const validate = (b: Record<string, any> | string | Uint8Array, profile?: 'dev' | 'production') => {
  const bytes = b instanceof Uint8Array ? b : utf8(typeof b === 'string' ? b : text(b));
  return checkBundle(bytes, profile === undefined ? {} : { profile });
};

describe('the bundle of 02 §11.1', () => {
  it('has the spec signatures and attestation digests', () => {
    const b = bundle();
    expect(b.attestations[0].signatures[0].sig).toBe(
      'usYh7zcv/eleSyXDrahVRWmX9dhg2kQeWybjpjd7Aeza1x+MFco2gd96tAIqug81OHINR6bTPZkxxrhn7ThSCw==',
    );
    expect(b.logEntries.map((e: { attestationDigest: string }) => e.attestationDigest)).toEqual([
      'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
      'sha256:174a5bb5c909e9a2f58936308c2a3399a021415b73cbc38855c118bda2d7e320',
      'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
      'sha256:174a5bb5c909e9a2f58936308c2a3399a021415b73cbc38855c118bda2d7e320',
    ]);
  });

  it('is valid for validate and for step 3', () => {
    const r = validate(bundle());
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.bundle?.attestations).toHaveLength(2);
    const p = parseBundle(utf8(text(bundle())));
    expect(p.errors).toEqual([]);
    expect(p.bundle?.logEntries[2]?.logId).toBe('local-file-log');
  });
});

describe('checkBundle: MALFORMED_BUNDLE (04 §11 item 3)', () => {
  const good = () => text(bundle());

  it.each<[string, () => string | Uint8Array, string]>([
    ['not JSON', () => 'this is not json', '$'],
    ['a truncated file', () => good().slice(0, 500), '$.attestations[0].payload'],
    [
      'a duplicate top-level key',
      () => good().replace('"version": "0.1.0",', '"version": "0.1.0", "version": "0.1.0",'),
      '$.version',
    ],
    [
      'a duplicate key in a log entry',
      () => good().replace('"logIndex": 6,', '"logIndex": 6, "logIndex": 6,'),
      '$.logEntries[1].logIndex',
    ],
    [
      'a float',
      () => good().replace('"logIndex": 6,', '"logIndex": 6.0,'),
      '$.logEntries[1].logIndex',
    ],
    [
      '2^53',
      () => good().replace('"logIndex": 6,', '"logIndex": 9007199254740992,'),
      '$.logEntries[1].logIndex',
    ],
    [
      'a lone surrogate',
      () => good().replace('"producer": "cerro-torre"', '"producer": "\\ud800"'),
      '$.metadata.producer',
    ],
    ['a BOM', () => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(good())]), '$'],
    ['invalid UTF-8', () => new Uint8Array([...utf8(good()).slice(0, 20), 0xc3, 0x28]), '$'],
  ])('%s', (_name, input, path) => {
    const bytes = (() => {
      const v = input();
      return typeof v === 'string' ? utf8(v) : v;
    })();
    for (const r of [checkBundle(bytes), parseBundle(bytes)]) {
      expect(codesAndPaths(r.errors)).toEqual([['MALFORMED_BUNDLE', path]]);
      expect(r.bundle).toBeUndefined();
    }
  });

  it.each<[string, (b: Record<string, any>) => void, string]>([
    [
      'wrong mediaType',
      (b) => (b.mediaType = 'application/vnd.verified-container.bundle.v1+json'),
      '$.mediaType',
    ],
    ['missing mediaType', (b) => delete b.mediaType, '$.mediaType'],
    ['version 1.0.0', (b) => (b.version = '1.0.0'), '$.version'],
    ['version 0.1', (b) => (b.version = '0.1'), '$.version'],
    ['version as number', (b) => (b.version = 0), '$.version'],
    ['attestations: []', (b) => (b.attestations = []), '$.attestations'],
    [
      '65 attestations',
      (b) => (b.attestations = Array(65).fill(b.attestations[0])),
      '$.attestations',
    ],
    ['attestations missing', (b) => delete b.attestations, '$.attestations'],
    [
      'payload with a non-base64 character',
      (b) => (b.attestations[1].payload = `*${b.attestations[1].payload.slice(1)}`),
      '$.attestations[1].payload',
    ],
    [
      'payload with whitespace',
      (b) =>
        (b.attestations[1].payload = `${b.attestations[1].payload.slice(0, 8)} ${b.attestations[1].payload.slice(8)}`),
      '$.attestations[1].payload',
    ],
    [
      'payloadType a number',
      (b) => (b.attestations[0].payloadType = 1),
      '$.attestations[0].payloadType',
    ],
    [
      'signatures not an array',
      (b) => (b.attestations[0].signatures = {}),
      '$.attestations[0].signatures',
    ],
    [
      'keyid missing',
      (b) => delete b.attestations[0].signatures[1].keyid,
      '$.attestations[0].signatures[1].keyid',
    ],
    ['logEntries missing', (b) => delete b.logEntries, '$.logEntries'],
    ['1025 log entries', (b) => (b.logEntries = Array(1025).fill(b.logEntries[0])), '$.logEntries'],
    ['a log entry without logId', (b) => delete b.logEntries[3].logId, '$.logEntries[3].logId'],
    [
      '65 proof hashes',
      (b) =>
        (b.logEntries[0].inclusionProof.hashes = Array(65).fill(
          b.logEntries[0].inclusionProof.hashes[0],
        )),
      '$.logEntries[0].inclusionProof.hashes',
    ],
    ['metadata not an object', (b) => (b.metadata = 'x'), '$.metadata'],
  ])('%s', (_name, edit, path) => {
    const b = bundle();
    edit(b);
    const r = validate(b);
    expect(r.errors[0]?.code).toBe('MALFORMED_BUNDLE');
    expect(codesAndPaths(r.errors)).toContainEqual(['MALFORMED_BUNDLE', path]);
    expect(r.bundle).toBeUndefined();
    expect(codesAndPaths(parseBundle(utf8(text(b))).errors)).toContainEqual([
      'MALFORMED_BUNDLE',
      path,
    ]);
  });

  it('a duplicate key inside a payload statement (validate; step 3 does not decode payloads)', () => {
    const b = bundle();
    const dup = SBOM.replace('"name":"hello:1.0.0"', '"name":"hello:1.0.0","name":"x"');
    b.attestations[1] = envelope(dup);
    const r = validate(b);
    expect(codesAndPaths(r.errors)).toEqual([['MALFORMED_BUNDLE', '$.attestations[1].payload']]);
    expect(r.errors[0]?.message).toContain('duplicate');
    expect(r.bundle).toBeDefined();
    expect(parseBundle(utf8(text(b))).errors).toEqual([]);
  });

  it('a payload that is not a statement', () => {
    const b = bundle();
    b.attestations[0] = envelope('{"_type":"https://in-toto.io/Statement/v1","subject":[]}');
    const r = validate(b);
    expect(r.errors.map((e) => e.code)).toEqual([
      'MALFORMED_BUNDLE',
      'MALFORMED_BUNDLE',
      'MALFORMED_BUNDLE',
    ]);
    expect(r.errors[0]?.path).toBe('$.attestations[0].payload.predicate');
  });

  it('tolerates unknown members', () => {
    const b = bundle();
    b.extra = { any: 'thing' };
    b.attestations[0].note = 'x';
    b.logEntries[0].comment = 'y';
    expect(validate(b).errors).toEqual([]);
  });
});

describe('checkBundle: coverage and signatures (04 §8)', () => {
  it('one log entry → INSUFFICIENT_LOG_COVERAGE; valid with profile dev', () => {
    const b = bundle();
    b.logEntries = b.logEntries.slice(0, 1);
    expect(codesAndPaths(validate(b).errors)).toEqual([
      ['INSUFFICIENT_LOG_COVERAGE', '$.logEntries'],
    ]);
    expect(validate(b, 'dev').errors).toEqual([]);
    b.logEntries = [];
    expect(codesAndPaths(validate(b, 'dev').errors)).toEqual([
      ['INSUFFICIENT_LOG_COVERAGE', '$.logEntries'],
    ]);
    // not a parse error for the verifier (04 §3 step 3)
    expect(parseBundle(utf8(text(b))).errors).toEqual([]);
  });

  it('an entry without attestationDigest is a warning', () => {
    const b = bundle();
    delete b.logEntries[2].attestationDigest;
    const r = validate(b);
    expect(r.errors).toEqual([]);
    expect(codesAndPaths(r.warnings)).toEqual([
      ['LOG_ENTRY_NO_ATTESTATION_DIGEST', '$.logEntries[2].attestationDigest'],
    ]);
  });

  it('no signatures or a 63-byte sig → INVALID_SIGNATURE, not a step-3 error', () => {
    const b = bundle();
    b.attestations[0].signatures = [];
    b.attestations[1].signatures[1].sig = encodeBase64(new Uint8Array(63));
    const r = validate(b);
    expect(codesAndPaths(r.errors)).toEqual([
      ['INVALID_SIGNATURE', '$.attestations[0].signatures'],
      ['INVALID_SIGNATURE', '$.attestations[1].signatures[1].sig'],
    ]);
    expect(r.bundle).toBeDefined();
    const p = parseBundle(utf8(text(b)));
    expect(p.errors).toEqual([]);
    expect(p.bundle).toBeDefined();
  });

  it('orders errors by step, then by path', () => {
    const b = bundle();
    b.attestations[1].signatures[0].sig = 'AAAA'; // INVALID_SIGNATURE
    b.attestations[0].signatures = []; // INVALID_SIGNATURE
    b.attestations[1].payload = encodeBase64(
      '{"_type":"x","subject":[],"predicateType":"p","predicate":{}}',
    );
    b.logEntries = [b.logEntries[0]]; // INSUFFICIENT_LOG_COVERAGE
    b.metadata = []; // MALFORMED_BUNDLE (structure)
    b.version = '2.0.0'; // MALFORMED_BUNDLE (structure)
    const r = validate(b);
    expect(codesAndPaths(r.errors)).toEqual([
      ['MALFORMED_BUNDLE', '$.metadata'],
      ['MALFORMED_BUNDLE', '$.version'],
      ['INSUFFICIENT_LOG_COVERAGE', '$.logEntries'],
      ['MALFORMED_BUNDLE', '$.attestations[1].payload._type'],
      ['MALFORMED_BUNDLE', '$.attestations[1].payload.subject'],
      ['INVALID_SIGNATURE', '$.attestations[0].signatures'],
      ['INVALID_SIGNATURE', '$.attestations[1].signatures[0].sig'],
    ]);
    expect(r.bundle).toBeUndefined();
  });

  it('rejects a file over 64 MiB without parsing it', () => {
    const r = checkBundle(new Uint8Array(64 * 1024 * 1024 + 1));
    expect(codesAndPaths(r.errors)).toEqual([['MALFORMED_BUNDLE', '$']]);
  });
});

describe('serializeBundle', () => {
  it('writes members in table order, unknown members last in input order, 2-space + LF', () => {
    const b = bundle();
    const [att] = b.attestations;
    const [e] = b.logEntries;
    const shuffled = {
      zeta: 1,
      metadata: { createdAt: b.metadata.createdAt, extra: true, producer: 'cerro-torre' },
      logEntries: [
        {
          attestationDigest: e.attestationDigest,
          note: 'n',
          inclusionProof: {
            hashes: e.inclusionProof.hashes,
            x: 0,
            rootHash: e.inclusionProof.rootHash,
            treeSize: 6,
            logIndex: 5,
          },
          signedEntryTimestamp: e.signedEntryTimestamp,
          integratedTime: e.integratedTime,
          logIndex: 5,
          logId: e.logId,
        },
      ],
      attestations: [
        {
          signatures: [{ sig: att.signatures[0].sig, extra: 1, keyid: att.signatures[0].keyid }],
          alpha: 'a',
          payload: att.payload,
          payloadType: att.payloadType,
        },
      ],
      version: '0.1.0',
      alpha: 2,
      mediaType: BUNDLE_MEDIA_TYPE,
    };
    const out = serializeBundle(shuffled as unknown as AttestationBundle);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.startsWith('{\n  "mediaType": ')).toBe(true);
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed)).toEqual([
      'mediaType',
      'version',
      'attestations',
      'logEntries',
      'metadata',
      'zeta',
      'alpha',
    ]);
    expect(Object.keys(parsed.attestations[0])).toEqual([
      'payloadType',
      'payload',
      'signatures',
      'alpha',
    ]);
    expect(Object.keys(parsed.attestations[0].signatures[0])).toEqual(['keyid', 'sig', 'extra']);
    expect(Object.keys(parsed.logEntries[0])).toEqual([
      'logId',
      'logIndex',
      'integratedTime',
      'inclusionProof',
      'signedEntryTimestamp',
      'attestationDigest',
      'note',
    ]);
    expect(Object.keys(parsed.logEntries[0].inclusionProof)).toEqual([
      'logIndex',
      'treeSize',
      'rootHash',
      'hashes',
      'x',
    ]);
    expect(Object.keys(parsed.metadata)).toEqual(['producer', 'createdAt', 'extra']);
  });

  it('round-trips a parsed bundle byte for byte', () => {
    const written = text(bundle());
    const r = parseBundle(utf8(written));
    expect(serializeBundle(r.bundle!)).toBe(written);
    expect(written).toBe(`${JSON.stringify(bundle(), null, 2)}\n`);
  });
});

describe('comparePaths', () => {
  it('orders indexes numerically and prefixes first', () => {
    const paths = ['$.b', '$.a[10]', '$.a[2].x', '$.a[2]', '$["a b"]', '$'];
    expect([...paths].sort(comparePaths)).toEqual([
      '$',
      '$.a[2]',
      '$.a[2].x',
      '$.a[10]',
      '$["a b"]',
      '$.b',
    ]);
  });
});
