// SPDX-License-Identifier: Apache-2.0
// `cerro-torre explain` (01 §8): what a manifest would build, as plain JSON-serialisable data.
import { effectiveCapabilities } from './capabilities.js';
import { hasRuntimeVariables } from './runtime-variables.js';
import type { Manifest, ManifestStep } from './schema.js';
import { parsePolicy } from './selinux-policy.js';

export interface ExplainStep {
  /** 1-based. */
  readonly number: number;
  readonly action: ManifestStep['action'];
  /** One readable line, templates resolved: `fetch https://… → /tmp/wordpress.tar.gz`. */
  readonly line: string;
}

export interface ExplainEnvironmentVariable {
  readonly name: string;
  readonly value: string;
  /** The value holds `${…}` expanded by vordr at run time (01 §2.1). */
  readonly resolvedAtRunTime: boolean;
}

export interface ExplainDocument {
  readonly package: {
    name: string;
    version: string;
    architecture: string | null;
    description: string | null;
  };
  readonly base: { image: string; kind: string };
  readonly dependencies: {
    suite: string | null;
    components: string[];
    install: string;
    packages: string[];
    external: { name: string; version: string; source: string; hash: string; license: string }[];
  };
  readonly steps: ExplainStep[];
  readonly runtime: {
    command: string[] | null;
    entrypoint: string[] | null;
    user: string | null;
    group: string | null;
    workdir: string;
    environment: ExplainEnvironmentVariable[];
    ports: { name: string; internal: number; external: number | null; protocol: string }[];
    volumes: {
      name: string;
      mount: string;
      type: string;
      readonly: boolean;
      size: string | null;
    }[];
    healthcheck: {
      command: string[];
      interval: string;
      timeout: string;
      startPeriod: string;
      retries: number;
    } | null;
    stopSignal: string | null;
    labels: { key: string; value: string }[];
  };
  readonly security: {
    selinux: {
      type: string | null;
      level: string | null;
      customPolicy: { rules: number; types: number } | null;
    };
    capabilities: {
      base: 'runtime-default' | 'none';
      drop: string[];
      add: string[];
      effective: string[];
    };
    readonlyRoot: { enabled: boolean; exceptions: string[] };
    egress: { kind: string; value: string; port: number; protocol: string }[];
    ingress: { port: number; protocol: string; source: string }[];
  };
  readonly signing: { algorithm: string; threshold: string | null; keyholders: string[] };
  readonly transparency: { logs: { name: string; url: string }[]; agreement: string | null };
  readonly verification: {
    requiredSignatures: { minimum: number | null; allowedKeyholders: string[] };
    transparencyLogs: { minimumLogs: number; requireConsensus: boolean; quorum: number | null };
    sbom: { required: boolean; allowedLicenses: string[]; deniedLicenses: string[] };
    vulnerabilities: {
      scanBeforeDeployment: boolean;
      maxSeverity: string;
      ignore: string[];
      ignoreUnfixed: boolean;
    };
  };
}

/** Describes a valid manifest for `cerro-torre explain`. */
export function explainManifest(manifest: Manifest): ExplainDocument {
  const { runtime, security, attestations, verification } = manifest;
  const policy =
    security.selinux.customPolicy === undefined ? null : parsePolicy(security.selinux.customPolicy);
  const consensus = verification.transparencyLogs.requireConsensus;
  return {
    package: {
      name: manifest.package.name,
      version: manifest.package.version,
      architecture: manifest.package.architecture ?? null,
      description: manifest.package.description ?? null,
    },
    base: { image: manifest.base.image, kind: manifest.base.form.kind },
    dependencies: {
      suite:
        manifest.dependencies.suite ??
        (manifest.base.form.kind === 'debian' ? manifest.base.form.suite : null),
      components: [...manifest.dependencies.components],
      install: manifest.dependencies.install,
      packages: [...manifest.dependencies.packages],
      external: Object.entries(manifest.dependencies.external).map(([name, dep]) => ({
        name,
        version: dep.version,
        source: dep.source,
        hash: dep.hash,
        license: dep.license,
      })),
    },
    steps: manifest.build.steps.map((step, i) => ({
      number: i + 1,
      action: step.action,
      line: describeStep(step),
    })),
    runtime: {
      command: runtime.command ?? null,
      entrypoint: runtime.entrypoint ?? null,
      user: runtime.user ?? null,
      group: runtime.group ?? null,
      workdir: runtime.workdir,
      environment: Object.entries(runtime.environment).map(([name, value]) => ({
        name,
        value,
        resolvedAtRunTime: hasRuntimeVariables(value),
      })),
      ports: Object.entries(runtime.ports).map(([name, p]) => ({
        name,
        internal: p.internal,
        external: p.external ?? null,
        protocol: p.protocol,
      })),
      volumes: Object.entries(runtime.volumes).map(([name, v]) => ({
        name,
        mount: v.mount,
        type: v.type,
        readonly: v.readonly,
        size: v.size ?? null,
      })),
      healthcheck: runtime.healthcheck === undefined ? null : { ...runtime.healthcheck },
      stopSignal: runtime.stopSignal ?? null,
      labels: Object.entries(runtime.labels).map(([key, value]) => ({ key, value })),
    },
    security: {
      selinux: {
        type: security.selinux.type ?? null,
        level: security.selinux.level ?? null,
        customPolicy:
          policy === null ? null : { rules: policy.rules.length, types: policy.types.length },
      },
      capabilities: {
        base: security.capabilities.drop.includes('ALL') ? 'none' : 'runtime-default',
        drop: [...security.capabilities.drop],
        add: [...security.capabilities.add],
        effective: effectiveCapabilities(manifest),
      },
      readonlyRoot: {
        enabled: security.readonlyRoot.enabled,
        exceptions: [...security.readonlyRoot.exceptions],
      },
      egress: security.network.egressAllow.map((e) => ({ ...e })),
      ingress: security.network.ingressAllow.map((e) => ({ ...e })),
    },
    signing: {
      algorithm: attestations.signing.algorithm,
      threshold: attestations.signing.threshold?.text ?? null,
      keyholders: [...attestations.signing.keyholders],
    },
    transparency: {
      logs: attestations.transparency.logs.map((l) => ({ name: l.name, url: l.url })),
      agreement: attestations.transparency.thresholdAgreement?.text ?? null,
    },
    verification: {
      requiredSignatures: {
        minimum: verification.requiredSignatures.minimum ?? null,
        allowedKeyholders: [...verification.requiredSignatures.allowedKeyholders],
      },
      transparencyLogs: {
        minimumLogs: verification.transparencyLogs.minimumLogs,
        requireConsensus: consensus,
        quorum: consensus ? (attestations.transparency.thresholdAgreement?.k ?? null) : null,
      },
      sbom: {
        required: verification.sbomRequirements.requireSbom,
        allowedLicenses: [...verification.sbomRequirements.allowedLicenses],
        deniedLicenses: [...verification.sbomRequirements.denyLicenses],
      },
      vulnerabilities: {
        scanBeforeDeployment: verification.vulnerabilityScanning.scanBeforeDeployment,
        maxSeverity: verification.vulnerabilityScanning.maxSeverity,
        ignore: [...verification.vulnerabilityScanning.ignoreVulnerabilities],
        ignoreUnfixed: verification.vulnerabilityScanning.ignoreUnfixed,
      },
    },
  };
}

/** Shell-like rendering of an argv, for people. */
export function formatArgv(args: readonly string[]): string {
  return args.map((a) => (a === '' || /[\s"'\\$`]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

function describeStep(step: ManifestStep): string {
  switch (step.action) {
    case 'mkdir':
      return `mkdir ${step.path} (mode ${step.mode})`;
    case 'fetch':
      return `fetch ${step.url} → ${step.dest}${step.hash === undefined ? '' : ` (${step.hash})`}`;
    case 'verify-hash':
      return `verify-hash ${step.file} ${step.hash}`;
    case 'extract': {
      const extras = [
        step.format === undefined ? '' : `format ${step.format}`,
        step.stripComponents > 0 ? `strip ${step.stripComponents}` : '',
        step.removeArchive ? 'remove archive' : '',
      ].filter((x) => x !== '');
      return `extract ${step.archive} → ${step.dest}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
    }
    case 'copy':
      return `copy ${step.from}:${step.src} → ${step.dest}${step.mode === undefined ? '' : ` (mode ${step.mode})`}`;
    case 'write-file': {
      const size =
        step.content !== undefined
          ? `${new TextEncoder().encode(step.content).length} bytes`
          : 'base64 content';
      return `write-file ${step.path} (${size}, mode ${step.mode})`;
    }
    case 'symlink':
      return `symlink ${step.link} → ${step.target}${step.force ? ' (replacing)' : ''}`;
    case 'chown': {
      const owner = `${step.user ?? ''}${step.group === undefined ? '' : `:${step.group}`}`;
      return `chown ${step.recursive ? '-R ' : ''}${owner} ${step.path}`;
    }
    case 'chmod':
      return `chmod ${step.recursive ? '-R ' : ''}${step.mode} ${step.path}${
        step.recursive && step.fileMode !== step.mode ? ` (files ${step.fileMode})` : ''
      }`;
    case 'user':
      return `user ${step.name} (uid ${step.uid ?? 'auto'}, group ${step.group}, home ${step.home}, shell ${step.shell}${step.system ? ', system' : ''})`;
    case 'group':
      return `group ${step.name} (gid ${step.gid ?? 'auto'}${step.members.length > 0 ? `, members ${step.members.join(', ')}` : ''})`;
    case 'composer-require': {
      const network =
        step.packagist || step.repositories.some((r) => r.type === 'composer') ? '' : ', offline';
      const repos =
        step.repositories.length > 0 ? `, ${step.repositories.length} repositories` : '';
      return `composer-require ${step.package} in ${step.dir}${repos}${network}`;
    }
  }
}
