// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseManifest, type ManifestDiagnostic } from './index.js';

const HEAD = '[package]\nname = "t"\nversion = "1.0"\n';
const run = (body: string, head = HEAD) => parseManifest(head + body, { source: 't.ctp' });
/** `[code, path]` of every diagnostic. */
const found = (body: string, head = HEAD) =>
  run(body, head).diagnostics.map((d) => [d.code, d.path]);
const first = (body: string): ManifestDiagnostic => {
  const [d] = run(body).diagnostics;
  if (d === undefined) throw new Error('expected a diagnostic');
  return d;
};
const step = (fields: string) => `[[build.steps]]\n${fields}\n`;

describe('unknown keys (01 §1.1)', () => {
  it('reports unknown sections and keys with a did-you-mean hint', () => {
    const result = run(
      'nmae = "x"\n[runtime]\ncomand = ["x"]\n[securty.capabilities]\ndrop = []\n',
    );
    expect(result.diagnostics.map((d) => [d.code, d.path, d.hint, d.line, d.column])).toEqual([
      ['MANIFEST_UNKNOWN_KEY', '$.package.nmae', 'did you mean `name`?', 4, 1],
      ['MANIFEST_UNKNOWN_KEY', '$.runtime.comand', 'did you mean `command`?', 6, 1],
      ['MANIFEST_UNKNOWN_KEY', '$.securty', 'did you mean `security`?', 7, 2],
    ]);
  });

  it('gives no hint when nothing is within edit distance 2', () => {
    expect(first('[runtime]\ncompletely-different = 1\n').hint).toBeUndefined();
  });

  it('checks keys per step action, with a hint from that action', () => {
    const d = first(
      step(
        'action = "fetch"\nurl = "https://x.org/a"\ndest = "/a"\nhash = "sha256:' +
          'a'.repeat(64) +
          '"\ndset = "/b"',
      ),
    );
    expect(d).toMatchObject({
      code: 'MANIFEST_UNKNOWN_KEY',
      path: '$.build.steps[0].dset',
      hint: 'did you mean `dest`?',
    });
    expect(d.message).toContain('for action "fetch"');
    expect(found(step('action = "mkdir"\npath = "/a"\nurl = "x"'))).toEqual([
      ['MANIFEST_UNKNOWN_KEY', '$.build.steps[0].url'],
    ]);
  });

  it('writes odd keys in brackets', () => {
    expect(found('[runtime.healthcheck]\ncommand = ["x"]\n"we ird" = 1\n')).toEqual([
      ['MANIFEST_UNKNOWN_KEY', '$.runtime.healthcheck["we ird"]'],
    ]);
  });
});

describe('types (01 §1.1, §1.4)', () => {
  it('wants quoted modes and argv arrays', () => {
    const result = run(
      `[runtime]\ncommand = "/bin/sh -c x"\n${step('action = "mkdir"\npath = "/a"\nmode = 755')}`,
    );
    expect(result.diagnostics.map((d) => [d.code, d.path, d.hint])).toEqual([
      ['MANIFEST_TYPE', '$.runtime.command', 'use an argv array'],
      ['MANIFEST_TYPE', '$.build.steps[0].mode', 'quote it'],
    ]);
  });

  it('does not coerce', () => {
    expect(
      found(
        '[runtime]\nworkdir = 1\n[runtime.healthcheck]\ncommand = ["x"]\nretries = 3.0\n[runtime.ports]\nhttp = { internal = "80" }\n[security.readonly-root]\nenabled = "true"\n[dependencies]\ninstall = 1\n',
      ),
    ).toEqual([
      ['MANIFEST_TYPE', '$.runtime.workdir'],
      ['MANIFEST_TYPE', '$.runtime.healthcheck.retries'],
      ['MANIFEST_TYPE', '$.runtime.ports.http.internal'],
      ['MANIFEST_TYPE', '$.security.readonly-root.enabled'],
      ['MANIFEST_TYPE', '$.dependencies.install'],
    ]);
  });

  it('rejects date-times and tables where strings are expected', () => {
    expect(found('[metadata]\nlicense = 2024-01-01\ncategory = { a = 1 }\n')).toEqual([
      ['MANIFEST_TYPE', '$.metadata.license'],
      ['MANIFEST_TYPE', '$.metadata.category'],
    ]);
  });

  it('accepts user ids as integers or strings', () => {
    expect(found('[runtime]\nuser = 33\ngroup = "33"\n')).toEqual([]);
    expect(found('[runtime]\nuser = 70000\ngroup = true\n')).toEqual([
      ['MANIFEST_VALUE', '$.runtime.user'],
      ['MANIFEST_TYPE', '$.runtime.group'],
    ]);
  });
});

describe('missing fields (01 §1.3)', () => {
  it('points at 1:1 when the table is absent', () => {
    const result = parseManifest('[metadata]\nlicense = "MIT"\n', { source: 'x.ctp' });
    expect(result.diagnostics.map((d) => [d.code, d.path, d.line, d.column])).toEqual([
      ['MANIFEST_MISSING_FIELD', '$.package.name', 1, 1],
      ['MANIFEST_MISSING_FIELD', '$.package.version', 1, 1],
    ]);
  });

  it('points at the enclosing table header or inline table', () => {
    const result = run(
      '[dependencies.external]\nlib = { version = "1" }\n[runtime.healthcheck]\ninterval = "5s"\n',
      '# header\n[package]\nname = "t"\n',
    );
    expect(result.diagnostics.map((d) => [d.code, d.path, d.line, d.column])).toEqual([
      ['MANIFEST_MISSING_FIELD', '$.package.version', 2, 1],
      ['MANIFEST_MISSING_FIELD', '$.dependencies.external.lib.source', 5, 1],
      ['MANIFEST_MISSING_FIELD', '$.dependencies.external.lib.hash', 5, 1],
      ['MANIFEST_MISSING_FIELD', '$.runtime.healthcheck.command', 6, 1],
    ]);
  });

  it('reports missing step fields and a missing action at the step', () => {
    const result = run(
      '[build]\nsteps = [\n  { action = "fetch", dest = "/a", hash = "sha256:' +
        'b'.repeat(64) +
        '" },\n  { path = "/x" },\n]\n',
    );
    expect(result.diagnostics.map((d) => [d.code, d.path, d.line, d.column])).toEqual([
      ['MANIFEST_MISSING_FIELD', '$.build.steps[0].url', 6, 3],
      ['MANIFEST_MISSING_FIELD', '$.build.steps[1].action', 7, 3],
    ]);
  });
});

describe('values (01 §2, §4)', () => {
  it('checks package name, tag and architecture', () => {
    expect(
      found('', '[package]\nname = "My_App"\nversion = "-1"\narchitecture = "sparc"\n'),
    ).toEqual([
      ['MANIFEST_VALUE', '$.package.name'],
      ['MANIFEST_VALUE', '$.package.version'],
      ['MANIFEST_VALUE', '$.package.architecture'],
    ]);
    expect(
      run('', '[package]\nname = "a/b-c"\nversion = "1"\narchitecture = "aarch64"\n').manifest
        ?.package.architecture,
    ).toBe('arm64');
  });

  it('accepts the base image forms of §4 and nothing else', () => {
    for (const image of [
      'scratch',
      'cerro-torre/debian:bookworm',
      'cerro-torre/debian:trixie-slim',
      'oci:./layout',
      'oci:layout:v1',
      'registry.example.org/team/app',
      'localhost/app:1.2',
      `ghcr.io:443/a/b:v1@sha256:${'c'.repeat(64)}`,
    ]) {
      expect(found(`[base]\nimage = "${image}"\n`), image).toEqual([]);
    }
    for (const image of [
      'cerro-torre/fedora:39',
      'debian:bookworm',
      'library/nginx',
      'oci:',
      'ghcr.io/A/b',
    ]) {
      expect(found(`[base]\nimage = "${image}"\n`), image).toEqual([
        ['MANIFEST_VALUE', '$.base.image'],
      ]);
    }
  });

  it('checks Debian packages, suite and components', () => {
    expect(
      found(
        '[dependencies]\npackages = ["curl", "Bad", "curl=7.88.1-10", "x"]\nsuite = "Bookworm"\ncomponents = ["main", "universe"]\n',
      ),
    ).toEqual([
      ['MANIFEST_VALUE', '$.dependencies.packages[1]'],
      ['MANIFEST_VALUE', '$.dependencies.packages[2]'],
      ['MANIFEST_VALUE', '$.dependencies.packages[3]'],
      ['MANIFEST_VALUE', '$.dependencies.suite'],
      ['MANIFEST_VALUE', '$.dependencies.components[1]'],
    ]);
    expect(found('[dependencies]\npackages = ["curl", "curl=7.88.1-10"]\n')).toEqual([
      ['MANIFEST_VALUE', '$.dependencies.packages[1]'],
    ]);
  });

  it('checks runtime details', () => {
    expect(
      found(
        '[runtime]\nstop-signal = "SIGFOO"\n[runtime.labels]\n"org.verified-container.x" = "y"\n"org.example" = "ok"\n' +
          '[runtime.volumes]\na = { mount = "/data" }\nb = { mount = "/data", type = "tmpfs", size = "64m" }\nc = { mount = "/c", size = "1g" }\n' +
          '[runtime.ports]\np = { internal = 0, external = 70000 }\n[runtime.healthcheck]\ncommand = []\ninterval = "0s"\ntimeout = "5x"\n',
      ),
    ).toEqual([
      ['MANIFEST_VALUE', '$.runtime.stop-signal'],
      ['MANIFEST_VALUE', '$.runtime.labels["org.verified-container.x"]'],
      ['MANIFEST_VALUE', '$.runtime.volumes.b.mount'],
      ['MANIFEST_VALUE', '$.runtime.volumes.c.size'],
      ['MANIFEST_VALUE', '$.runtime.ports.p.internal'],
      ['MANIFEST_VALUE', '$.runtime.ports.p.external'],
      ['MANIFEST_VALUE', '$.runtime.healthcheck.command'],
      ['MANIFEST_VALUE', '$.runtime.healthcheck.interval'],
      ['MANIFEST_VALUE', '$.runtime.healthcheck.timeout'],
    ]);
  });

  it('checks network rules', () => {
    expect(
      found(
        '[security.network]\negress-allow = [\n  { host = "a.org", port = 443 },\n  { host = "a.org", cidr = "10.0.0.0/8", port = 1 },\n  { port = 2 },\n' +
          '  { pattern = "indieweb.org", port = 3 },\n  { cidr = "10.0.0.0/33", port = 4, protocol = "icmp" },\n  { host = "::1", port = 5 },\n]\n' +
          'ingress-allow = [{ port = 80, source = "container:web" }, { port = 81, source = "10.0.0.0/24" }, { port = 82, source = "everyone" }, { port = 83 }]\n',
      ),
    ).toEqual([
      ['MANIFEST_VALUE', '$.security.network.egress-allow[1].cidr'],
      ['MANIFEST_MISSING_FIELD', '$.security.network.egress-allow[2].host'],
      ['MANIFEST_VALUE', '$.security.network.egress-allow[3].pattern'],
      ['MANIFEST_VALUE', '$.security.network.egress-allow[4].cidr'],
      ['MANIFEST_VALUE', '$.security.network.egress-allow[4].protocol'],
      ['MANIFEST_VALUE', '$.security.network.ingress-allow[2].source'],
      ['MANIFEST_MISSING_FIELD', '$.security.network.ingress-allow[3].source'],
    ]);
  });

  it('checks export and verification values', () => {
    expect(
      found(
        '[export.oci]\nregistry = "no-repo"\ntags = ["ok", "bad tag"]\n[verification.vulnerability-scanning]\nmax-severity = "severe"\nignore-vulnerabilities = ["CVE-24-1", "cve-2024-1234"]\n[provenance]\nbuild-system = "make"\nbuild-timestamp = "yesterday"\n',
      ),
    ).toEqual([
      ['MANIFEST_VALUE', '$.export.oci.registry'],
      ['MANIFEST_VALUE', '$.export.oci.tags[1]'],
      ['MANIFEST_VALUE', '$.verification.vulnerability-scanning.max-severity'],
      ['MANIFEST_VALUE', '$.verification.vulnerability-scanning.ignore-vulnerabilities[0]'],
      ['MANIFEST_VALUE', '$.verification.vulnerability-scanning.ignore-vulnerabilities[1]'],
      ['MANIFEST_VALUE', '$.provenance.build-system'],
      ['MANIFEST_VALUE', '$.provenance.build-timestamp'],
    ]);
  });

  it('checks transparency logs', () => {
    expect(
      found(
        '[attestations.transparency]\nlogs = [{ name = "a", url = "ftp://x" }, { name = "a", url = "file:" }]\nthreshold-agreement = "1-of-2"\n',
      ),
    ).toEqual([
      ['MANIFEST_VALUE', '$.attestations.transparency.logs[0].url'],
      ['MANIFEST_VALUE', '$.attestations.transparency.logs[1].name'],
      ['MANIFEST_VALUE', '$.attestations.transparency.logs[1].url'],
    ]);
  });
});

describe('paths (01 §1.4)', () => {
  it('rejects traversal and malformed paths', () => {
    expect(
      found(
        '[build]\ncontext = "../outside"\n[runtime]\nworkdir = "/srv/../etc"\n[security.readonly-root]\nexceptions = ["tmp", "/a//b", "/a/", "/ok"]\n' +
          '[dependencies.external]\nx = { version = "1", source = "file:vendor/../../x.tgz", hash = "sha256:' +
          'd'.repeat(64) +
          '" }\n',
      ),
    ).toEqual([
      ['MANIFEST_PATH', '$.build.context'],
      ['MANIFEST_PATH', '$.runtime.workdir'],
      ['MANIFEST_PATH', '$.security.readonly-root.exceptions[0]'],
      ['MANIFEST_PATH', '$.security.readonly-root.exceptions[1]'],
      ['MANIFEST_PATH', '$.security.readonly-root.exceptions[2]'],
      ['MANIFEST_PATH', '$.dependencies.external.x.source'],
    ]);
  });

  it('checks step paths by kind', () => {
    expect(
      found(
        step('action = "copy"\nsrc = "files/../../etc/passwd"\ndest = "/etc/"') +
          step('action = "copy"\nsrc = "/a/./b"\ndest = "/b"') +
          step(
            'action = "fetch"\nurl = "file:../secret"\ndest = "/x"\nhash = "sha256:' +
              'e'.repeat(64) +
              '"',
          ) +
          step('action = "symlink"\ntarget = "../lib/x.so"\nlink = "/usr/lib/x.so"'),
      ),
    ).toEqual([
      ['MANIFEST_PATH', '$.build.steps[0].src'],
      ['MANIFEST_PATH', '$.build.steps[1].src'],
      ['MANIFEST_PATH', '$.build.steps[2].url'],
    ]);
  });
});

describe('runtime variables (01 §2.1)', () => {
  it('accepts every documented form', () => {
    expect(
      found(
        '[runtime.environment]\nA = "${X}"\nB = "${X:-d:1}"\nC = "${X-d}"\nD = "${X:?set X}"\nE = "${X?m}"\nF = "$$ and $HOME and $"\nG = 5\nH = true\n',
      ),
    ).toEqual([]);
  });

  it.each(['${', '${X', '${}', '${1X}', '${X:d}', '${X-d', 'a ${X!}'])('rejects %j', (value) => {
    expect(found(`[runtime.environment]\nA = "${value}"\n`)).toEqual([
      ['MANIFEST_ENV_SYNTAX', '$.runtime.environment.A'],
    ]);
  });

  it('rejects bad variable names', () => {
    expect(found('[runtime.environment]\n"1X" = "a"\n')).toEqual([
      ['MANIFEST_VALUE', '$.runtime.environment.1X'],
    ]);
  });
});

describe('capabilities (01 §2.2)', () => {
  it('normalises names and rejects unknown ones', () => {
    const result = run(
      '[security.capabilities]\ndrop = ["all"]\nadd = ["net_bind_service", "CAP_SYS_TIME", "checkpoint_restore"]\n',
    );
    expect(result.manifest?.security.capabilities).toEqual({
      drop: ['ALL'],
      add: ['CAP_NET_BIND_SERVICE', 'CAP_SYS_TIME', 'CAP_CHECKPOINT_RESTORE'],
    });
    expect(
      found('[security.capabilities]\ndrop = ["CAP_FOO"]\nadd = ["ALL", "SYS_ADMINN"]\n'),
    ).toEqual([
      ['MANIFEST_CAPABILITY', '$.security.capabilities.drop[0]'],
      ['MANIFEST_CAPABILITY', '$.security.capabilities.add[0]'],
      ['MANIFEST_CAPABILITY', '$.security.capabilities.add[1]'],
    ]);
  });

  it('rejects a capability in both lists', () => {
    expect(found('[security.capabilities]\ndrop = ["chown"]\nadd = ["CAP_CHOWN"]\n')).toEqual([
      ['MANIFEST_VALUE', '$.security.capabilities.add[0]'],
    ]);
  });
});
