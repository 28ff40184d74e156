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

describe('hashes (01 §1.4)', () => {
  const fetchWith = (hash: string) =>
    step(
      `action = "fetch"\nurl = "https://example.org/dl/tool-1.2.tar.gz?x=1"\ndest = "/tmp/t"\nhash = "${hash}"`,
    );

  it.each([
    ['', 'empty hash'],
    ['sha256:...', 'placeholder hash "sha256:..."'],
    ['sha256:…', 'placeholder hash'],
    [`sha256:${'a'.repeat(63)}`, 'must be 64 hex digits, got 63'],
    [`sha256:${'g'.repeat(64)}`, 'not hexadecimal'],
    [`md5:${'a'.repeat(32)}`, 'unsupported hash algorithm "md5"'],
    ['a'.repeat(64), 'no algorithm'],
  ])('rejects %j', (hash, message) => {
    const d = first(fetchWith(hash));
    expect(d).toMatchObject({ code: 'MANIFEST_HASH', path: '$.build.steps[0].hash' });
    expect(d.message).toContain(message);
    expect(d.hint).toBe('put the real digest, e.g. from `sha256sum tool-1.2.tar.gz`');
  });

  it('accepts sha256 and sha512 in any case and stores them lowercase', () => {
    const upper = `SHA256:${'AB'.repeat(32)}`;
    const result = run(
      fetchWith(upper) +
        step(`action = "verify-hash"\nfile = "/tmp/t"\nhash = "sha512:${'c'.repeat(128)}"`),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.manifest?.build.steps[0]).toMatchObject({ hash: `sha256:${'ab'.repeat(32)}` });
  });

  it('checks provenance.source-hash when it is not empty', () => {
    expect(found('[provenance]\nsource-hash = "sha256:123"\n')).toEqual([
      ['MANIFEST_HASH', '$.provenance.source-hash'],
    ]);
  });
});

describe('steps (01 §3)', () => {
  it('reports unknown actions with a hint', () => {
    const d = first(step('action = "mkdirs"\npath = "/a"'));
    expect(d).toMatchObject({
      code: 'MANIFEST_UNKNOWN_ACTION',
      path: '$.build.steps[0].action',
      hint: 'did you mean `mkdir`?',
    });
    expect(first(step('action = "run"\ncommand = "make"')).hint).toMatch(/^one of mkdir, fetch/);
    expect(found(step('action = 1'))).toEqual([['MANIFEST_TYPE', '$.build.steps[0].action']]);
  });

  it('requires a hash on fetch unless the next step verifies the same file', () => {
    const fetch = step('action = "fetch"\nurl = "https://x.org/a.tgz"\ndest = "/tmp/a.tgz"');
    const verify = (file: string) =>
      step(`action = "verify-hash"\nfile = "${file}"\nhash = "sha256:${'f'.repeat(64)}"`);
    expect(found(fetch + verify('/tmp/a.tgz'))).toEqual([]);
    expect(found(fetch)).toEqual([['MANIFEST_FETCH_UNVERIFIED', '$.build.steps[0]']]);
    expect(found(fetch + verify('/tmp/other'))).toEqual([
      ['MANIFEST_FETCH_UNVERIFIED', '$.build.steps[0]'],
    ]);
    expect(found(fetch + step('action = "mkdir"\npath = "/x"') + verify('/tmp/a.tgz'))).toEqual([
      ['MANIFEST_FETCH_UNVERIFIED', '$.build.steps[0]'],
    ]);
  });

  it('checks the either/or fields of write-file and chown', () => {
    expect(
      found(
        step('action = "write-file"\npath = "/a"') +
          step('action = "write-file"\npath = "/b"\ncontent = "x"\ncontent-base64 = "eA=="') +
          step('action = "write-file"\npath = "/c"\ncontent-base64 = "not base64!"') +
          step('action = "chown"\npath = "/d"'),
      ),
    ).toEqual([
      ['MANIFEST_MISSING_FIELD', '$.build.steps[0].content'],
      ['MANIFEST_VALUE', '$.build.steps[1].content-base64'],
      ['MANIFEST_VALUE', '$.build.steps[2].content-base64'],
      ['MANIFEST_MISSING_FIELD', '$.build.steps[3].user'],
    ]);
  });

  it('accepts every action with its defaults', () => {
    const result = run(
      step('action = "extract"\narchive = "/a.tgz"\ndest = "/opt"\nformat = "tgz"') +
        step('action = "write-file"\npath = "/etc/motd"\ncontent = "hi\\n"') +
        step('action = "symlink"\ntarget = "/opt/a"\nlink = "/usr/bin/a"') +
        step('action = "user"\nname = "app"\nsystem = true') +
        step('action = "group"\nname = "staff"\nmembers = ["app"]') +
        step(
          'action = "composer-require"\npackage = "vendor/pkg:^1.0"\nrepositories = [{ type = "path", url = "packages/pkg" }]\npackagist = false',
        ),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.manifest?.build.steps).toEqual([
      {
        action: 'extract',
        archive: '/a.tgz',
        dest: '/opt',
        format: 'tar.gz',
        stripComponents: 0,
        removeArchive: false,
      },
      { action: 'write-file', path: '/etc/motd', content: 'hi\n', mode: '0644' },
      { action: 'symlink', target: '/opt/a', link: '/usr/bin/a', force: false },
      {
        action: 'user',
        name: 'app',
        group: 'app',
        home: '/nonexistent',
        shell: '/usr/sbin/nologin',
        system: true,
        createHome: false,
      },
      { action: 'group', name: 'staff', system: false, members: ['app'] },
      {
        action: 'composer-require',
        package: 'vendor/pkg:^1.0',
        dir: '/',
        repositories: [{ type: 'path', url: 'packages/pkg' }],
        packagist: false,
      },
    ]);
  });

  it('checks composer repository urls by type', () => {
    expect(
      found(
        step(
          'action = "composer-require"\npackage = "a/b"\nrepositories = [{ type = "path", url = "/abs" }, { type = "composer", url = "repo" }]',
        ),
      ),
    ).toEqual([
      ['MANIFEST_PATH', '$.build.steps[0].repositories[0].url'],
      ['MANIFEST_VALUE', '$.build.steps[0].repositories[1].url'],
    ]);
  });
});

describe('SELinux (01 §2.2, §2.3)', () => {
  it('checks the type and categories', () => {
    expect(
      found('[security.selinux]\ntype = "container"\ncategories = ["c1", "c1", "c1024", "s0"]\n'),
    ).toEqual([
      ['MANIFEST_SELINUX', '$.security.selinux.type'],
      ['MANIFEST_SELINUX', '$.security.selinux.categories[1]'],
      ['MANIFEST_SELINUX', '$.security.selinux.categories[2]'],
      ['MANIFEST_SELINUX', '$.security.selinux.categories[3]'],
    ]);
    expect(found('[security.selinux]\ncategories = ["c1", "c1"]\n')).toEqual([
      ['MANIFEST_SELINUX', '$.security.selinux.categories[1]'],
    ]);
  });

  it('reports custom-policy errors at their line and column in the file', () => {
    const body =
      '[security.selinux]\ntype = "app_t"\ncustom-policy = """\n' +
      '# comment\n' +
      'allow app_t etc_t:file { read frob };\n' +
      'allow self etc_t:file read;\n' +
      'allow app_t etc_t:filez read;\n' +
      'allow app_t self:tcp_socket { name_connect accept };\n' +
      'type app_data_t;\n' +
      'allow app_t app_data_t:dir { add_name }\n' +
      '"""\n';
    const result = run(body);
    expect(result.diagnostics.map((d) => [d.code, d.path, d.line, d.column])).toEqual([
      ['MANIFEST_SELINUX', '$.security.selinux.custom-policy', 8, 31],
      ['MANIFEST_SELINUX', '$.security.selinux.custom-policy', 9, 7],
      ['MANIFEST_SELINUX', '$.security.selinux.custom-policy', 10, 19],
      ['MANIFEST_SELINUX', '$.security.selinux.custom-policy', 14, 1],
    ]);
    expect(result.diagnostics[0]?.message).toBe(
      'unknown permission "frob" for class file (custom-policy line 2, column 31)',
    );
    expect(result.diagnostics[3]?.message).toMatch(/expected ";", found the end/);
  });

  it('maps positions in literal multi-line strings too', () => {
    const d = first("[security.selinux]\ncustom-policy = '''\nallow a b:file nope;\n'''\n");
    expect([d.code, d.line, d.column]).toEqual(['MANIFEST_SELINUX', 6, 16]);
  });
});

describe('thresholds (01 §1.4, §2.2)', () => {
  it('parses k-of-n strings', () => {
    for (const bad of ['2of3', '0-of-2', '3-of-2', '1-of-0', 'two-of-three']) {
      expect(
        found(`[attestations.signing]\nthreshold = "${bad}"\nkeyholders = ["a", "b"]\n`),
        bad,
      ).toEqual([['MANIFEST_VALUE', '$.attestations.signing.threshold']]);
    }
  });

  it('requires thresholds matching the keyholders and logs', () => {
    expect(
      found(
        '[attestations.signing]\nkeyholders = ["a", "b"]\n[attestations.transparency]\nlogs = [{ name = "l1", url = "file:l1" }, { name = "l2", url = "file:l2" }]\nthreshold-agreement = "2-of-3"\n',
      ),
    ).toEqual([
      ['MANIFEST_MISSING_FIELD', '$.attestations.signing.threshold'],
      ['MANIFEST_VALUE', '$.attestations.transparency.threshold-agreement'],
    ]);
    expect(found('[attestations.signing]\nthreshold = "1-of-1"\n')).toEqual([
      ['MANIFEST_VALUE', '$.attestations.signing.threshold'],
    ]);
  });

  it('keeps minimum within the allowed keyholders', () => {
    const signing = '[attestations.signing]\nthreshold = "2-of-2"\nkeyholders = ["a", "b"]\n';
    expect(found(`${signing}[verification.required-signatures]\nminimum = 2\n`)).toEqual([]);
    expect(found(`${signing}[verification.required-signatures]\nminimum = 3\n`)).toEqual([
      ['MANIFEST_VALUE', '$.verification.required-signatures.minimum'],
    ]);
    expect(
      found(
        `${signing}[verification.required-signatures]\nminimum = 2\nallowed-keyholders = ["a"]\n`,
      ),
    ).toEqual([['MANIFEST_VALUE', '$.verification.required-signatures.minimum']]);
    expect(found('[verification.required-signatures]\nminimum = 0\n')).toEqual([
      ['MANIFEST_VALUE', '$.verification.required-signatures.minimum'],
    ]);
  });
});

describe('limits (01 §1.1)', () => {
  it('limits steps, packages and external dependencies', () => {
    const steps = Array.from(
      { length: 1001 },
      (_, i) => `{ action = "mkdir", path = "/d${i}" }`,
    ).join(',\n');
    expect(found(`[build]\nsteps = [\n${steps}\n]\n`)).toEqual([
      ['MANIFEST_VALUE', '$.build.steps'],
    ]);
    const packages = Array.from({ length: 5001 }, (_, i) => `"p${i}"`).join(', ');
    expect(found(`[dependencies]\npackages = [${packages}]\n`)).toEqual([
      ['MANIFEST_VALUE', '$.dependencies.packages'],
    ]);
    const hash = `sha256:${'0'.repeat(64)}`;
    const externals = Array.from(
      { length: 257 },
      (_, i) => `e${i} = { version = "1", source = "https://x.org/e${i}.tgz", hash = "${hash}" }`,
    ).join('\n');
    expect(found(`[dependencies.external]\n${externals}\n`)).toEqual([
      ['MANIFEST_VALUE', '$.dependencies.external'],
    ]);
  });

  it('limits strings to 64 KiB except custom-policy and write-file content', () => {
    const big = 'x'.repeat(64 * 1024 + 1);
    expect(found(`[package]\ndescription = "${big}"\n`, '')).toEqual([
      ['MANIFEST_MISSING_FIELD', '$.package.name'],
      ['MANIFEST_MISSING_FIELD', '$.package.version'],
      ['MANIFEST_VALUE', '$.package.description'],
    ]);
    expect(found(step(`action = "write-file"\npath = "/big"\ncontent = "${big}"`))).toEqual([]);
    expect(found(`[security.selinux]\ncustom-policy = """\n# ${big}\n"""\n`)).toEqual([]);
  });
});

describe('unsupported sources and features', () => {
  const hash = `sha256:${'1'.repeat(64)}`;
  it('rejects github: and other schemes', () => {
    const result = run(
      `[dependencies.external]\na = { version = "1", source = "github:o/r", hash = "${hash}" }\nb = { version = "1", source = "git+ssh://h/r", hash = "${hash}" }\nc = { version = "1", source = "r.tgz", hash = "${hash}" }\n`,
    );
    expect(result.diagnostics.map((d) => [d.code, d.path, d.hint])).toEqual([
      [
        'MANIFEST_UNSUPPORTED',
        '$.dependencies.external.a.source',
        'use the https URL of a release archive',
      ],
      [
        'MANIFEST_UNSUPPORTED',
        '$.dependencies.external.b.source',
        'use the https URL of a release archive',
      ],
      [
        'MANIFEST_VALUE',
        '$.dependencies.external.c.source',
        'use the https URL of a release archive',
      ],
    ]);
  });

  it('warns about OSTree export and Rekor logs without failing', () => {
    const result = run(
      '[export.ostree]\nenabled = true\n[attestations.transparency]\nlogs = [{ name = "rekor", url = "https://rekor.sigstore.dev" }]\nthreshold-agreement = "1-of-1"\n',
    );
    expect(result.ok).toBe(true);
    expect(result.manifest).toBeDefined();
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.path, d.hint])).toEqual([
      ['MANIFEST_UNSUPPORTED_FEATURE', 'warning', '$.export.ostree.enabled', 'set enabled = false'],
      [
        'MANIFEST_UNSUPPORTED_FEATURE',
        'warning',
        '$.attestations.transparency.logs[0].url',
        'use a `cerro-torre log serve` or `file:` log',
      ],
    ]);
  });
});
