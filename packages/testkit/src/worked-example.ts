// SPDX-License-Identifier: Apache-2.0
import {
  addSignature,
  signEnvelope,
  type DsseEnvelope,
} from '@verified-container/shared/attestation';
import { parseJson } from '@verified-container/shared/json';
import type { BundleLogEntry } from '@verified-container/shared/tlog';
import { SPEC_KEYS } from './keys.js';

/** Subject of the worked example of 02 §11.1. */
export const WORKED_EXAMPLE_SUBJECT = 'hello:1.0.0';
export const WORKED_EXAMPLE_IMAGE_DIGEST =
  'sha256:dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';

/** The provenance and SBOM statements of 02 §11.1, as the JCS printed there. */
export const WORKED_EXAMPLE_STATEMENTS: readonly [string, string] = [
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"buildDefinition":{"buildType":"https://verified-container.org/cerro-torre/build/v1","externalParameters":{"lock":{"digest":{"sha256":"acac86c0e609ca906f632b0e2dacccb2b77d22b0621f20ebece1a4835b93f6f0"},"path":"hello.lock.json"},"manifest":{"digest":{"sha256":"62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"},"path":"hello.ctp"},"sourceDateEpoch":0},"internalParameters":{"builderVersion":"0.1.0"},"resolvedDependencies":[{"digest":{"sha256":"9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91"},"name":"busybox","uri":"pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12"}]},"runDetails":{"builder":{"id":"https://verified-container.org/cerro-torre/builder/local/v1","version":{"cerro-torre":"0.1.0"}},"metadata":{"finishedOn":"2026-11-25T10:00:04Z","invocationId":"7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11","startedOn":"2026-11-25T10:00:00Z"}}},"predicateType":"https://slsa.dev/provenance/v1","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}',
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"SPDXID":"SPDXRef-DOCUMENT","dataLicense":"CC0-1.0","name":"hello-1.0.0","spdxVersion":"SPDX-2.3"},"predicateType":"https://spdx.dev/Document","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}',
];

/** Attestation digests of the two envelopes (02 §11.1 `logEntries`). */
export const WORKED_EXAMPLE_ATTESTATION_DIGESTS: readonly [string, string] = [
  'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
  'sha256:174a5bb5c909e9a2f58936308c2a3399a021415b73cbc38855c118bda2d7e320',
];

/** The four log entries of 02 §11.1, verbatim. */
export const WORKED_EXAMPLE_LOG_ENTRIES: readonly BundleLogEntry[] = [
  {
    logId: 'cerro-torre-log',
    logIndex: 5,
    integratedTime: '2026-11-25T10:00:05Z',
    inclusionProof: {
      logIndex: 5,
      treeSize: 6,
      rootHash: '674186eb87530119f11c4630ff0497a96c667a88bdf20675649784f14eab284f',
      hashes: [
        'bb8f53dfb4e12273d95d1255c76c35659aee10e356f5beb533a6a64460b00965',
        'f20a5c913e76e61415050ae1264d93311ab512a22171c37fe0410625e5b346d8',
      ],
    },
    signedEntryTimestamp:
      'b3h63BYA8zR9xf+L3JM7GyVjSwk02opqJ2pgqAhOOMO/9vOixV4QXeHyM7mDmvjzjdqT915xbNzNso5xzI4wDg==',
    attestationDigest: 'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
  },
  {
    logId: 'cerro-torre-log',
    logIndex: 6,
    integratedTime: '2026-11-25T10:00:05Z',
    inclusionProof: {
      logIndex: 6,
      treeSize: 7,
      rootHash: '417dc10e5d5bee38797ffdcd6721162efcf47adcf1309c3da473cf6eeebc7bfa',
      hashes: [
        '683dc17d2a63f72eff8aacf4e767be3d89e159b6612766db410ec27670230ca0',
        'f20a5c913e76e61415050ae1264d93311ab512a22171c37fe0410625e5b346d8',
      ],
    },
    signedEntryTimestamp:
      'pawtiWMEMHXdoTbnviloJ+1PB83nUv9WaMkhgF7THdNiJkJyni/LLP2uwVoo8zJ1JzuVqNn9sbefaw48owr2AQ==',
    attestationDigest: 'sha256:174a5bb5c909e9a2f58936308c2a3399a021415b73cbc38855c118bda2d7e320',
  },
  {
    logId: 'local-file-log',
    logIndex: 2,
    integratedTime: '2026-11-25T10:00:06Z',
    inclusionProof: {
      logIndex: 2,
      treeSize: 3,
      rootHash: '2904b3a795a2e9460b6b5ecfa2e5ccefb8c92b034b06fd76bcad1f437a5a164d',
      hashes: ['49c8119e7354a3235671af7f903a8a0fa157cdc20e56929cfb5c28a09549a346'],
    },
    signedEntryTimestamp:
      'HFu80RYjyU+DcVkjGshQjPp6ea/GDKnGsFzXRFtezvcuJh3L0R/KcLaNb/HziWYcexHaugkVYqzRl4MLtoEMCw==',
    attestationDigest: 'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
  },
  {
    logId: 'local-file-log',
    logIndex: 3,
    integratedTime: '2026-11-25T10:00:06Z',
    inclusionProof: {
      logIndex: 3,
      treeSize: 4,
      rootHash: '77adc13c0668c81de674e63894f15cb4ae27de5528088d06798c4c876798f985',
      hashes: [
        '3e4625bab4b57841226f1198c47f6bf7d1060227b1f2fe07a085eb2ce50e31d8',
        '49c8119e7354a3235671af7f903a8a0fa157cdc20e56929cfb5c28a09549a346',
      ],
    },
    signedEntryTimestamp:
      'OTpqDgMS7F2z23j9kkvnBiSk/8iH/RlYlzx/S0XMBZTW9Qh637s7EBVTtFwMBMv+SSldn+Rq/ysV2Vg2K6RLBw==',
    attestationDigest: 'sha256:174a5bb5c909e9a2f58936308c2a3399a021415b73cbc38855c118bda2d7e320',
  },
];

/** Unrelated leaves each log held before (02 §11.1): leaf bytes `previous entry <logId> <i>`. */
export const WORKED_EXAMPLE_PREVIOUS_LEAVES = {
  'cerro-torre-log': 5,
  'local-file-log': 2,
} as const;

/** The two envelopes of 02 §11.1, signed by maintainer-1 then maintainer-2. */
export function workedExampleEnvelopes(): [DsseEnvelope, DsseEnvelope] {
  const sign = (jcs: string) =>
    addSignature(
      signEnvelope(parseJson(jcs) as object, SPEC_KEYS['maintainer-1']),
      SPEC_KEYS['maintainer-2'],
    );
  return [sign(WORKED_EXAMPLE_STATEMENTS[0]), sign(WORKED_EXAMPLE_STATEMENTS[1])];
}

export interface WorkedExampleBundle {
  mediaType: string;
  version: string;
  attestations: DsseEnvelope[];
  logEntries: BundleLogEntry[];
  metadata: { producer: string; producerVersion: string; createdAt: string };
}

/**
 * The complete bundle of 02 §11.1 (members in table order; a fresh copy per call). It passes steps
 * 1–9 of 04 §3 with the example's trust store and fails step 10 with `SBOM_INVALID`.
 */
export function workedExampleBundle(): WorkedExampleBundle {
  return {
    mediaType: 'application/vnd.verified-container.bundle+json',
    version: '0.1.0',
    attestations: workedExampleEnvelopes(),
    logEntries: structuredClone([...WORKED_EXAMPLE_LOG_ENTRIES]),
    metadata: {
      producer: 'cerro-torre',
      producerVersion: '0.1.0',
      createdAt: '2026-11-25T10:00:06Z',
    },
  };
}
