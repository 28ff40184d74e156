// SPDX-License-Identifier: Apache-2.0
// The manifest schema (01 §2, §2.2, §3) and its type, kept together.
//
// Naming: the `.ctp` file uses kebab-case keys; the typed `Manifest` uses camelCase for every fixed key
// (`runtime.stopSignal`, `security.readonlyRoot`, `verification.requiredSignatures.allowedKeyholders`,
// step fields such as `stripComponents`). Free-form keys (external dependency names, environment
// variables, volume, port and label names) and values (step actions such as "verify-hash") are kept as
// written. Values are normalised: architecture as the Debian name, capabilities as `CAP_X`, hashes in
// lowercase, SELinux categories ascending (plus `level`), k-of-n as `{ k, n, text }`, and every default
// of the tables applied. Fields whose default comes from elsewhere at build time (architecture = host,
// suite/command/entrypoint = from base, user = root) stay undefined.
import { z } from 'zod';
import { parseBaseImage, type BaseImage } from './base-image.js';
import {
  contextPath,
  hash,
  integer,
  matching,
  rule,
  table,
  threshold,
  unique,
} from './schema-common.js';
import { RuntimeTable, SecurityTable } from './schema-runtime.js';
import { StepSchema } from './schema-steps.js';
import { httpUrlProblem, OCI_NAME_PATTERN, OCI_TAG_PATTERN } from './values.js';

export const ARCHITECTURES = [
  'amd64',
  'arm64',
  'armhf',
  'i386',
  'ppc64el',
  's390x',
  'riscv64',
] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

const tag = matching(OCI_TAG_PATTERN, (v) => `${JSON.stringify(v)} is not a valid OCI tag`);
const keyholder = matching(
  /^[A-Za-z0-9._-]{1,64}$/,
  (v) => `keyholder ${JSON.stringify(v)} must match [A-Za-z0-9._-]{1,64}`,
);
const text = z.string();
const strings = z.array(z.string());

const PackageTable = table({
  name: rule(z.string(), (v) =>
    v.length > 128
      ? 'package name must be at most 128 characters'
      : OCI_NAME_PATTERN.test(v)
        ? undefined
        : `package name ${JSON.stringify(v)} is not an OCI repository name (lowercase [a-z0-9] components joined by ".", "_", "__", "-" or "/")`,
  ),
  version: tag,
  architecture: z
    .enum([...ARCHITECTURES, 'x86_64', 'aarch64'])
    .transform((a): Architecture => (a === 'x86_64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a))
    .optional(),
  description: text.optional(),
});

const MetadataTable = table({
  homepage: rule(z.string(), httpUrlProblem).optional(),
  license: text.optional(),
  maintainer: text.optional(),
  source: text.optional(),
  category: text.optional(),
  tags: strings.optional(),
});

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

const ProvenanceTable = table({
  'build-system': z.literal('cerro-torre').default('cerro-torre'),
  'build-version': text.optional(),
  'source-hash-algorithm': z.literal('sha256').default('sha256'),
  // Empty, or a hash (checked by check-sources.ts).
  'source-hash': hash.default(''),
  'built-by': text.default(''),
  'build-timestamp': rule(z.string(), (v) =>
    v === '' || RFC3339_UTC.test(v)
      ? undefined
      : 'build-timestamp must be empty or an RFC 3339 UTC time',
  ).default(''),
  'attestation-format': z.literal('in-toto').default('in-toto'),
});

const BaseTable = table({
  image: rule(z.string(), (v) => {
    const parsed = parseBaseImage(v);
    return typeof parsed === 'string' ? parsed : undefined;
  }).default('scratch'),
}).transform((b) => {
  const form = parseBaseImage(b.image);
  return { image: b.image, form: typeof form === 'string' ? ({ kind: 'scratch' } as const) : form };
});

const DEB_PACKAGE = /^([a-z0-9][a-z0-9+.-]+)(?:=([0-9][A-Za-z0-9.+~:-]*))?$/;
const COMPONENTS = ['main', 'contrib', 'non-free', 'non-free-firmware'] as const;

const ExternalTable = table({
  version: text,
  // Scheme and hash are checked by check-sources.ts (hints need the other fields).
  source: text,
  hash,
  license: text.default('NOASSERTION'),
});

const DependenciesTable = table({
  packages: unique(
    matching(
      DEB_PACKAGE,
      (v) => `${JSON.stringify(v)} is not a Debian package "name" or "name=version"`,
    ),
    'package',
    'MANIFEST_VALUE',
    (p) => p.split('=')[0] ?? p,
  ).default([]),
  suite: matching(
    /^[a-z]+$/,
    (v) => `suite ${JSON.stringify(v)} must be a Debian codename like "bookworm"`,
  ).optional(),
  components: unique(z.enum(COMPONENTS), 'component').default(['main']),
  install: z.enum(['configure', 'extract']).default('configure'),
  'path-exclude': strings.default([]),
  'path-include': strings.default([]),
  external: z
    .record(
      matching(
        /^[A-Za-z0-9._-]+$/,
        (k) => `external dependency name ${JSON.stringify(k)} must match [A-Za-z0-9._-]+`,
      ),
      ExternalTable,
    )
    .default({}),
});

const BuildTable = table({
  steps: z.array(StepSchema).default([]),
  context: contextPath.default('.'),
});

const PREDICATES = ['materials', 'builder', 'recipe', 'metadata'] as const;
const LOG_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

function logUrlProblem(url: string): string | undefined {
  if (url.startsWith('file:'))
    return url.length > 5 && !url.includes('\u0000') ? undefined : 'file: URL needs a path';
  return httpUrlProblem(url) === undefined
    ? undefined
    : 'log url must be https://…, http://… or file:<path>';
}

const AttestationsTable = table({
  sbom: table({
    format: z.literal('spdx-2.3').default('spdx-2.3'),
    generator: text.default('cerro-torre-sbom'),
  }).prefault({}),
  provenance: table({
    format: z.literal('in-toto').default('in-toto'),
    predicates: unique(z.enum(PREDICATES), 'predicate').default([...PREDICATES]),
  }).prefault({}),
  signing: table({
    algorithm: z.literal('ed25519').default('ed25519'),
    threshold: threshold.optional(),
    keyholders: unique(keyholder, 'keyholder').default([]),
  }).prefault({}),
  transparency: table({
    logs: z
      .array(
        table({
          name: matching(
            LOG_NAME,
            (v) => `log name ${JSON.stringify(v)} must match ${LOG_NAME.source}`,
          ),
          url: rule(z.string(), logUrlProblem),
        }),
      )
      .default([]),
    'threshold-agreement': threshold.optional(),
  }).prefault({}),
});

const REGISTRY = /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?\/(.+)$/;

const ExportTable = table({
  oci: table({
    enabled: z.boolean().default(true),
    registry: rule(z.string(), (v) => {
      const m = REGISTRY.exec(v);
      return m !== null && OCI_NAME_PATTERN.test(m[1] ?? '')
        ? undefined
        : `registry ${JSON.stringify(v)} must be host[:port]/repository`;
    }).optional(),
    tags: z.array(tag).default([]),
  }).prefault({}),
  ostree: table({
    enabled: z.boolean().default(false),
    repository: text.optional(),
    branch: text.optional(),
  }).prefault({}),
});

const SEVERITIES = ['none', 'low', 'medium', 'high', 'critical'] as const;

const VerificationTable = table({
  'required-signatures': table({
    minimum: integer(1, 1_000_000).optional(),
    // Defaults to the signing keyholders (root transform below).
    'allowed-keyholders': unique(keyholder, 'keyholder').optional(),
  }).prefault({}),
  'transparency-logs': table({
    'require-consensus': z.boolean().default(false),
    'minimum-logs': integer(1, 1_000_000).default(2),
  }).prefault({}),
  'sbom-requirements': table({
    'require-sbom': z.boolean().default(true),
    'allowed-licenses': strings.default([]),
    'deny-licenses': strings.default([]),
  }).prefault({}),
  'vulnerability-scanning': table({
    'scan-before-deployment': z.boolean().default(false),
    'max-severity': z.enum(SEVERITIES).default('high'),
    'ignore-vulnerabilities': z
      .array(
        matching(
          /^[A-Z][A-Z0-9]*-[0-9]{4}-[0-9]+$/,
          (v) => `${JSON.stringify(v)} is not an advisory id like CVE-2024-1234`,
        ),
      )
      .default([]),
    'ignore-unfixed': z.boolean().default(false),
  }).prefault({}),
});

// An absent [package] is validated as an empty table, so each missing field is reported (01 §1.3).
const EMPTY_PACKAGE = {} as z.input<typeof PackageTable>;

/** The whole manifest: validates the resolved TOML tree and produces the normalised {@link Manifest}. */
export const ManifestSchema = z
  .strictObject({
    package: PackageTable.prefault(EMPTY_PACKAGE),
    metadata: MetadataTable.prefault({}),
    provenance: ProvenanceTable.prefault({}),
    base: BaseTable.prefault({}),
    dependencies: DependenciesTable.prefault({}),
    build: BuildTable.prefault({}),
    runtime: RuntimeTable.prefault({}),
    security: SecurityTable.prefault({}),
    attestations: AttestationsTable.prefault({}),
    export: ExportTable.prefault({}),
    verification: VerificationTable.prefault({}),
  })
  .transform((m) => ({
    ...m,
    build: {
      ...m.build,
      steps: m.build.steps.map((step) =>
        step.action === 'composer-require' ? { ...step, dir: step.dir ?? m.runtime.workdir } : step,
      ),
    },
    verification: {
      ...m.verification,
      requiredSignatures: {
        ...m.verification.requiredSignatures,
        allowedKeyholders:
          m.verification.requiredSignatures.allowedKeyholders ?? m.attestations.signing.keyholders,
      },
    },
  }));

/** A validated, template-resolved, normalised manifest with defaults applied. */
export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestStep = Manifest['build']['steps'][number];
export type ExternalDependency = Manifest['dependencies']['external'][string];
export type EgressRule = Manifest['security']['network']['egressAllow'][number];
export type IngressRule = Manifest['security']['network']['ingressAllow'][number];
export type { BaseImage };
