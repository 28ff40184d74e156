// SPDX-License-Identifier: Apache-2.0
// Image config labels (02 §2): the OCI annotations from the manifest and the signed profile that
// vordr enforces (05 §4.3).
import { sha256Hex } from '../crypto/index.js';
import { canonicalize } from '../json/index.js';
import { effectiveCapabilities, type Manifest } from '../manifest/index.js';
import { formatRfc3339Utc } from '../time/index.js';
import { compareStrings, requireEpoch, requireSha256Hex } from './inputs.js';

export const SECURITY_LABEL = 'org.verified-container.security';
export const RUNTIME_LABEL = 'org.verified-container.runtime';
export const SELINUX_MODULE_LABEL = 'org.verified-container.selinux.module';
export const SELINUX_POLICY_SHA256_LABEL = 'org.verified-container.selinux.policy.sha256';
/** Labels only the toolchain writes (01 §2 reserves the prefix in `[runtime.labels]`). */
export const RESERVED_LABEL_PREFIX = 'org.verified-container.';

/** An `egress-allow` rule as written: exactly one of host, pattern, cidr. */
export type EgressAllowJson = (
  | { host: string; pattern?: never; cidr?: never }
  | { pattern: string; host?: never; cidr?: never }
  | { cidr: string; host?: never; pattern?: never }
) & { port: number; protocol: 'tcp' | 'udp' | 'http' | 'https' };

export interface IngressAllowJson {
  port: number;
  protocol: 'tcp' | 'udp';
  source: string;
}

/**
 * The normalised `[security]` section: the value of {@link SECURITY_LABEL} (as JCS) and of the
 * provenance's `externalParameters.security`. Absent SELinux settings are left out (vordr chooses
 * them per container); capabilities are `CAP_X` names, sorted and unique, with the effective set;
 * rule lists keep the manifest's order; defaults are applied.
 */
export interface SecurityProfile {
  selinux: {
    type?: string;
    /** `s0:c0,c1`, from the categories. */
    level?: string;
    categories?: string[];
    /** sha256 hex of the `custom-policy` text (UTF-8) as written in the manifest. */
    customPolicySha256?: string;
  };
  capabilities: { drop: string[]; add: string[]; effective: string[] };
  readonlyRoot: { enabled: boolean; exceptions: string[] };
  network: { egressAllow: EgressAllowJson[]; ingressAllow: IngressAllowJson[] };
}

/** The normalised volumes, ports and healthcheck: the value of {@link RUNTIME_LABEL} (as JCS). */
export interface RuntimeProfile {
  volumes: Record<
    string,
    { mount: string; type: 'persistent' | 'tmpfs' | 'ephemeral'; readonly: boolean; size?: string }
  >;
  ports: Record<string, { internal: number; external?: number; protocol: 'tcp' | 'udp' }>;
  /** Durations as written (`"30s"`), defaults applied; absent without `[runtime.healthcheck]`. */
  healthcheck?: {
    command: string[];
    interval: string;
    timeout: string;
    startPeriod: string;
    retries: number;
  };
}

/** {@link SecurityProfile} of a manifest. */
export function securityProfileFromManifest(manifest: Pick<Manifest, 'security'>): SecurityProfile {
  const { selinux, capabilities, readonlyRoot, network } = manifest.security;
  const sortedUnique = (names: readonly string[]) => [...new Set(names)].sort(compareStrings);
  return {
    selinux: {
      ...(selinux.type !== undefined ? { type: selinux.type } : {}),
      ...(selinux.level !== undefined ? { level: selinux.level } : {}),
      ...(selinux.categories !== undefined ? { categories: [...selinux.categories] } : {}),
      ...(selinux.customPolicy !== undefined
        ? { customPolicySha256: sha256Hex(selinux.customPolicy) }
        : {}),
    },
    capabilities: {
      drop: sortedUnique(capabilities.drop),
      add: sortedUnique(capabilities.add),
      effective: effectiveCapabilities(manifest),
    },
    readonlyRoot: { enabled: readonlyRoot.enabled, exceptions: [...readonlyRoot.exceptions] },
    network: {
      egressAllow: network.egressAllow.map((rule): EgressAllowJson => {
        const rest = { port: rule.port, protocol: rule.protocol };
        switch (rule.kind) {
          case 'host':
            return { host: rule.value, ...rest };
          case 'pattern':
            return { pattern: rule.value, ...rest };
          case 'cidr':
            return { cidr: rule.value, ...rest };
        }
      }),
      ingressAllow: network.ingressAllow.map((rule) => ({
        port: rule.port,
        protocol: rule.protocol,
        source: rule.source,
      })),
    },
  };
}

/** {@link RuntimeProfile} of a manifest. */
export function runtimeProfileFromManifest(manifest: Pick<Manifest, 'runtime'>): RuntimeProfile {
  const { volumes, ports, healthcheck } = manifest.runtime;
  return {
    volumes: Object.fromEntries(
      Object.entries(volumes).map(([name, v]) => [
        name,
        {
          mount: v.mount,
          type: v.type,
          readonly: v.readonly,
          ...(v.size !== undefined ? { size: v.size } : {}),
        },
      ]),
    ),
    ports: Object.fromEntries(
      Object.entries(ports).map(([name, p]) => [
        name,
        {
          internal: p.internal,
          ...(p.external !== undefined ? { external: p.external } : {}),
          protocol: p.protocol,
        },
      ]),
    ),
    ...(healthcheck !== undefined
      ? {
          healthcheck: {
            command: [...healthcheck.command],
            interval: healthcheck.interval,
            timeout: healthcheck.timeout,
            startPeriod: healthcheck.startPeriod,
            retries: healthcheck.retries,
          },
        }
      : {}),
  };
}

/**
 * `org.opencontainers.image.{title, version, description, url, source, licenses, authors,
 * created}` from the manifest (02 §2); fields the manifest lacks are left out. `created` is the
 * epoch; a `github:owner/repo` source becomes `https://github.com/owner/repo` (the annotation is
 * a URL).
 */
export function ociImageLabels(
  manifest: Pick<Manifest, 'package' | 'metadata'>,
  sourceDateEpoch: number,
): Record<string, string> {
  const { package: pkg, metadata } = manifest;
  const source =
    metadata.source?.startsWith('github:') === true
      ? `https://github.com/${metadata.source.slice('github:'.length)}`
      : metadata.source;
  const labels: [string, string | undefined][] = [
    ['title', pkg.name],
    ['version', pkg.version],
    ['description', pkg.description],
    ['url', metadata.homepage],
    ['source', source],
    ['licenses', metadata.license],
    ['authors', metadata.maintainer],
    ['created', formatRfc3339Utc(new Date(requireEpoch(sourceDateEpoch) * 1000))],
  ];
  return Object.fromEntries(
    labels.flatMap(([key, value]) =>
      value === undefined ? [] : [[`org.opencontainers.image.${key}`, value]],
    ),
  );
}

export interface ImageLabelsInput {
  readonly manifest: Pick<Manifest, 'package' | 'metadata' | 'security' | 'runtime'>;
  readonly sourceDateEpoch: number;
  /** The base image's config labels. */
  readonly baseLabels?: Readonly<Record<string, string>>;
  /** The compiled SELinux module, when the manifest has a `custom-policy`. */
  readonly selinuxModule?: {
    /** `vc_<name>`. */
    readonly name: string;
    /** sha256 hex of the module's CIL bytes. */
    readonly policySha256: string;
  };
}

/**
 * The config `Labels` of 02 §2: the base's labels, then `[runtime.labels]`, then the OCI labels,
 * then `org.verified-container.security` and `.runtime` (JCS), and the SELinux module labels when
 * a module exists; later entries win. The base's `org.verified-container.*` labels are dropped:
 * they describe the base, not this image.
 */
export function buildImageLabels(input: ImageLabelsInput): Record<string, string> {
  const labels: Record<string, string> = {};
  const set = (key: string, value: string) => {
    Object.defineProperty(labels, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  for (const [key, value] of Object.entries(input.baseLabels ?? {})) {
    if (!key.startsWith(RESERVED_LABEL_PREFIX)) set(key, value);
  }
  for (const [key, value] of Object.entries(input.manifest.runtime.labels)) set(key, value);
  for (const [key, value] of Object.entries(
    ociImageLabels(input.manifest, input.sourceDateEpoch),
  )) {
    set(key, value);
  }
  set(SECURITY_LABEL, canonicalize(securityProfileFromManifest(input.manifest)));
  set(RUNTIME_LABEL, canonicalize(runtimeProfileFromManifest(input.manifest)));
  if (input.selinuxModule !== undefined) {
    set(SELINUX_MODULE_LABEL, input.selinuxModule.name);
    set(
      SELINUX_POLICY_SHA256_LABEL,
      requireSha256Hex(input.selinuxModule.policySha256, 'SELinux policy sha256'),
    );
  }
  return labels;
}
