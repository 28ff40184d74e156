// SPDX-License-Identifier: Apache-2.0
// Human text of an ExplainDocument, for `cerro-torre explain` without --json.
import { formatArgv, type ExplainDocument } from './explain.js';

const WIDTH = 16;

function row(label: string, value: string): string {
  return `  ${label.padEnd(WIDTH)}${value}`;
}

function list(items: readonly string[], none = '(none)'): string {
  return items.length === 0 ? none : items.join(', ');
}

/** Renders `doc` as indented sections, one fact per line, ending with a newline. */
export function renderExplain(doc: ExplainDocument): string {
  const out: string[] = [];
  const p = doc.package;
  out.push(`Package ${p.name} ${p.version} (${p.architecture ?? 'host architecture'})`);
  if (p.description !== null) out.push(row('description', p.description));
  out.push(`Base ${doc.base.image}`);

  const d = doc.dependencies;
  out.push(`Debian packages (${d.packages.length}, install: ${d.install})`);
  out.push(row('suite', `${d.suite ?? 'from base'} [${d.components.join(', ')}]`));
  if (d.packages.length > 0) out.push(row('packages', d.packages.join(', ')));
  out.push(`External dependencies (${d.external.length})`);
  for (const e of d.external)
    out.push(`  ${e.name} ${e.version}  ${e.source}  ${e.hash}  (${e.license})`);

  out.push(`Steps (${doc.steps.length})`);
  for (const s of doc.steps) out.push(`  ${s.number}. ${s.line}`);

  const r = doc.runtime;
  out.push('Runtime');
  out.push(row('command', r.command === null ? '(from base)' : formatArgv(r.command)));
  out.push(row('entrypoint', r.entrypoint === null ? '(from base)' : formatArgv(r.entrypoint)));
  out.push(row('user', `${r.user ?? 'root'}${r.group === null ? '' : `:${r.group}`}`));
  out.push(row('workdir', r.workdir));
  if (r.environment.length === 0) out.push(row('environment', '(none)'));
  r.environment.forEach((e, i) => {
    const note = e.resolvedAtRunTime ? '   (resolved at run time)' : '';
    out.push(row(i === 0 ? 'environment' : '', `${e.name}=${e.value}${note}`));
  });
  out.push(
    row(
      'ports',
      list(
        r.ports.map(
          (x) =>
            `${x.name} ${x.internal}/${x.protocol}${x.external === null ? '' : ` (external ${x.external})`}`,
        ),
      ),
    ),
  );
  out.push(
    row(
      'volumes',
      list(
        r.volumes.map(
          (v) =>
            `${v.name} ${v.mount} (${v.type}${v.readonly ? ', read-only' : ''}${v.size === null ? '' : `, ${v.size}`})`,
        ),
      ),
    ),
  );
  const h = r.healthcheck;
  out.push(
    row(
      'healthcheck',
      h === null
        ? '(none)'
        : `${formatArgv(h.command)}; every ${h.interval}, timeout ${h.timeout}, start period ${h.startPeriod}, ${h.retries} retries`,
    ),
  );
  out.push(row('stop-signal', r.stopSignal ?? '(default)'));
  out.push(row('labels', list(r.labels.map((l) => `${l.key}=${l.value}`))));

  const s = doc.security;
  out.push('Security');
  const policy = s.selinux.customPolicy;
  out.push(
    row(
      'SELinux',
      `${s.selinux.type ?? '(default type)'} ${s.selinux.level ?? '(level per container)'}; ` +
        (policy === null ? 'no custom policy' : `custom policy present (${policy.rules} rules)`),
    ),
  );
  const c = s.capabilities;
  out.push(
    row(
      'capabilities',
      `${list(c.effective, '∅')}  (= ${c.base === 'none' ? '∅' : 'runtime default'} − [${c.drop.join(', ')}] + [${c.add.join(', ')}])`,
    ),
  );
  out.push(
    row(
      'read-only root',
      s.readonlyRoot.enabled ? `yes; writable: ${list(s.readonlyRoot.exceptions)}` : 'no',
    ),
  );
  out.push(
    row(
      'egress',
      list(
        s.egress.map((e) => `${e.value}:${e.port}/${e.protocol}`),
        'none allowed',
      ),
    ),
  );
  out.push(
    row(
      'ingress',
      list(
        s.ingress.map((i) => `${i.port}/${i.protocol} from ${i.source}`),
        'none allowed',
      ),
    ),
  );

  const g = doc.signing;
  out.push(
    `Signing ${g.algorithm}, ${g.threshold ?? 'no threshold'}; keyholders: ${list(g.keyholders)}`,
  );
  const t = doc.transparency;
  out.push(
    `Transparency logs (${t.agreement === null ? 'no agreement rule' : `${t.agreement} must agree`})`,
  );
  for (const l of t.logs) out.push(`  ${l.name}  ${l.url}`);

  const v = doc.verification;
  out.push('Verification');
  out.push(
    row(
      'signatures',
      v.requiredSignatures.minimum === null
        ? 'no minimum'
        : `at least ${v.requiredSignatures.minimum} of ${list(v.requiredSignatures.allowedKeyholders)}`,
    ),
  );
  out.push(
    row(
      'logs',
      `at least ${v.transparencyLogs.minimumLogs} logs` +
        (v.transparencyLogs.requireConsensus
          ? `; consensus of ${v.transparencyLogs.quorum ?? '?'} required`
          : ''),
    ),
  );
  out.push(
    row(
      'SBOM',
      `${v.sbom.required ? 'required' : 'optional'}; allowed licences: ${list(v.sbom.allowedLicenses, 'any')}; denied: ${list(v.sbom.deniedLicenses)}`,
    ),
  );
  const vu = v.vulnerabilities;
  out.push(
    row(
      'vulnerabilities',
      `${vu.scanBeforeDeployment ? 'scan before deployment' : 'no scan'}; max severity ${vu.maxSeverity}; ignored: ${list(vu.ignore)}${vu.ignoreUnfixed ? '; unfixed ignored' : ''}`,
    ),
  );
  return `${out.join('\n')}\n`;
}
