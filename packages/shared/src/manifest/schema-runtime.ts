// SPDX-License-Identifier: Apache-2.0
// [runtime] and [security] (01 §2, §2.2).
import { z } from 'zod';
import { normalizeCapability, type Capability } from './capabilities.js';
import { runtimeVariableProblem } from './runtime-variables.js';
import {
  argv,
  duration,
  integer,
  matching,
  port,
  rootfsPath,
  rule,
  table,
  unique,
  userOrGroup,
} from './schema-common.js';
import { isCidr, isDnsName, isIpv4, isIpv6 } from './values.js';

/** Linux signal names accepted for `stop-signal`. */
const SIGNALS = new Set(
  (
    'HUP INT QUIT ILL TRAP ABRT IOT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP ' +
    'TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO POLL PWR SYS RTMIN RTMAX'
  )
    .split(' ')
    .map((s) => `SIG${s}`),
);

const envValue = rule(
  z.union([z.string(), z.bigint(), z.boolean()], {
    error: 'expected a string, integer or boolean',
  }),
  (v) => (typeof v === 'string' ? runtimeVariableProblem(v) : undefined),
  'MANIFEST_ENV_SYNTAX',
).transform(String);

const Volume = table({
  mount: rootfsPath,
  type: z.enum(['persistent', 'tmpfs', 'ephemeral']).default('persistent'),
  readonly: z.boolean().default(false),
  size: matching(
    /^[0-9]+[kmg]$/,
    (v) => `size ${JSON.stringify(v)} must look like "64m" (k, m or g)`,
  ).optional(),
});

const Port = table({
  internal: port,
  external: port.optional(),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
});

const Healthcheck = table({
  command: rule(argv, (v) => (v.length === 0 ? 'command must not be empty' : undefined)),
  interval: duration().default('30s'),
  timeout: duration().default('30s'),
  // The default is 0s, so zero is allowed here.
  'start-period': duration(true).default('0s'),
  retries: integer(1, 1_000_000).default(3),
});

export const RuntimeTable = table({
  command: argv.optional(),
  entrypoint: argv.optional(),
  workdir: rootfsPath.default('/'),
  user: userOrGroup.optional(),
  group: userOrGroup.optional(),
  'stop-signal': rule(z.string(), (v) =>
    SIGNALS.has(v) ? undefined : `${JSON.stringify(v)} is not a Linux signal name like "SIGTERM"`,
  ).optional(),
  environment: z
    .record(
      matching(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        (k) => `environment variable name ${JSON.stringify(k)} must match [A-Za-z_][A-Za-z0-9_]*`,
      ),
      envValue,
    )
    .default({}),
  volumes: z.record(z.string(), Volume).default({}),
  ports: z.record(z.string(), Port).default({}),
  healthcheck: Healthcheck.optional(),
  labels: z
    .record(
      rule(z.string(), (k) =>
        k.startsWith('org.verified-container.')
          ? `label prefix "org.verified-container." is reserved for the toolchain`
          : undefined,
      ),
      z.string(),
    )
    .default({}),
});

function capabilityProblem(name: string, cap: Capability | 'ALL' | undefined) {
  return {
    code: 'custom' as const,
    message:
      cap === 'ALL'
        ? '"ALL" is only allowed in drop'
        : `unknown capability ${JSON.stringify(name)} (not one of the 41 Linux capabilities)`,
    params: { code: 'MANIFEST_CAPABILITY' },
  };
}

const dropCapability = z.string().transform((name, ctx): Capability | 'ALL' => {
  const cap = normalizeCapability(name);
  if (cap !== undefined) return cap;
  ctx.addIssue(capabilityProblem(name, cap));
  return z.NEVER;
});

const addCapability = z.string().transform((name, ctx): Capability => {
  const cap = normalizeCapability(name);
  if (cap !== undefined && cap !== 'ALL') return cap;
  ctx.addIssue(capabilityProblem(name, cap));
  return z.NEVER;
});

const CATEGORY = /^c(?:[0-9]|[1-9][0-9]|[1-9][0-9]{2}|10[01][0-9]|102[0-3])$/;

const Selinux = table({
  type: matching(
    /^[a-z][a-z0-9_]*_t$/,
    (v) => `SELinux type ${JSON.stringify(v)} must match ^[a-z][a-z0-9_]*_t$`,
    'MANIFEST_SELINUX',
  ).optional(),
  categories: unique(
    matching(
      CATEGORY,
      (v) => `SELinux category ${JSON.stringify(v)} must be c0 … c1023`,
      'MANIFEST_SELINUX',
    ),
    'category',
    'MANIFEST_SELINUX',
  ).optional(),
  'custom-policy': z.string().optional(),
}).transform((s) => {
  const categories = s.categories?.slice().sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  return {
    ...s,
    categories,
    /** MLS level for the process label: `s0:c0,c1` (undefined: chosen per container). */
    level: categories === undefined ? undefined : `s0:${categories.join(',')}`,
  };
});

function hostProblem(host: string): string | undefined {
  return isDnsName(host) || isIpv4(host) || isIpv6(host)
    ? undefined
    : `${JSON.stringify(host)} is not a DNS name or IP address`;
}

const Egress = table({
  host: rule(z.string(), hostProblem).optional(),
  pattern: rule(z.string(), (p) =>
    p.startsWith('*.') && isDnsName(p.slice(2))
      ? undefined
      : `pattern ${JSON.stringify(p)} must be "*." followed by a DNS name`,
  ).optional(),
  cidr: rule(z.string(), (c) =>
    isCidr(c) ? undefined : `${JSON.stringify(c)} is not a CIDR block`,
  ).optional(),
  port,
  protocol: z.enum(['tcp', 'udp', 'http', 'https']).default('tcp'),
}).transform((e) => {
  // Exactly one of host/pattern/cidr is checked by check-security.ts.
  const kind = e.host !== undefined ? 'host' : e.pattern !== undefined ? 'pattern' : 'cidr';
  return {
    kind,
    value: e.host ?? e.pattern ?? e.cidr ?? '',
    port: e.port,
    protocol: e.protocol,
  } as const;
});

const INGRESS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const Ingress = table({
  port,
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  source: rule(z.string(), (s) => {
    if (s === 'any' || isCidr(s)) return undefined;
    const m = /^(container|network):(.*)$/.exec(s);
    if (m !== null && INGRESS_NAME.test(m[2] ?? '')) return undefined;
    return `source ${JSON.stringify(s)} must be "container:<name>", "network:<name>", a CIDR block or "any"`;
  }),
});

export const SecurityTable = table({
  selinux: Selinux.prefault({}),
  capabilities: table({
    drop: z.array(dropCapability).default([]),
    add: z.array(addCapability).default([]),
  }).prefault({}),
  'readonly-root': table({
    enabled: z.boolean().default(false),
    exceptions: z.array(rootfsPath).default([]),
  }).prefault({}),
  network: table({
    'egress-allow': z.array(Egress).default([]),
    'ingress-allow': z.array(Ingress).default([]),
  }).prefault({}),
});
