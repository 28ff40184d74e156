// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseManifest,
  parsePolicy,
  selinuxCilFromManifest,
  selinuxCilFromPolicy,
  selinuxModuleName,
  type Manifest,
} from './index.js';

const FIXTURES = new URL('../../test/fixtures/manifests/', import.meta.url);
const EXAMPLE = new URL(
  '../../../../examples/php-aegis-wordpress/php-aegis-wordpress.ctp',
  import.meta.url,
);

const load = (text: string): Manifest => {
  const result = parseManifest(text, { source: 'x.ctp' });
  if (result.manifest === undefined) throw new Error(JSON.stringify(result.diagnostics));
  return result.manifest;
};

/** The reference manifest (shared/reference) with real hashes and an https source, so it is valid. */
const reference = load(
  readFileSync(new URL('php-aegis-wordpress.real-hashes.ctp', FIXTURES), 'utf8').replace(
    'github:hyperpolymath/php-aegis',
    'https://github.com/hyperpolymath/php-aegis/archive/refs/tags/v0.2.0.tar.gz',
  ),
);

const REFERENCE_MODULE = `; vc_php_aegis_wordpress: SELinux policy module of php-aegis-wordpress, generated from [security.selinux] custom-policy
(type container_web_t)
(roletype system_r container_web_t)
(allow container_web_t wordpress_file_t (file (read getattr open)))
(allow container_web_t wordpress_uploads_t (dir (write add_name remove_name)))
(allow container_web_t wordpress_uploads_t (file (create write unlink)))
(allow container_web_t ratelimit_data_t (dir (write add_name remove_name)))
(allow container_web_t ratelimit_data_t (file (create write read unlink)))
(allow container_web_t mysqld_port_t (tcp_socket (name_connect)))
(allow container_web_t self (tcp_socket (create bind listen accept)))
`;

const REFERENCE_STUB = `; Minimal base standing in for the host policy, to check vc_php_aegis_wordpress with secilc
(sid kernel)
(sidorder (kernel))
(role system_r)
(class dir (add_name remove_name write))
(class file (create getattr open read unlink write))
(class tcp_socket (accept bind create listen name_connect))
(classorder (dir file tcp_socket))
(type mysqld_port_t)
(type ratelimit_data_t)
(type wordpress_file_t)
(type wordpress_uploads_t)
`;

const compile = (policy: string, type?: string) =>
  selinuxCilFromPolicy({
    packageName: 'app',
    ...(type !== undefined ? { type } : {}),
    policy: parsePolicy(policy),
  });

/** The module's lines without the header comment. */
const body = (text: string) => text.split('\n').slice(1, -1);

describe('selinuxCilFromManifest', () => {
  it('compiles the reference manifest policy to the exact module and stub', () => {
    const cil = selinuxCilFromManifest(reference);
    expect(cil).toEqual({
      moduleName: 'vc_php_aegis_wordpress',
      path: '/usr/share/verified-container/selinux/vc_php_aegis_wordpress.cil',
      module: REFERENCE_MODULE,
      stub: REFERENCE_STUB,
    });
  });

  it('gives the same module for the buildable example manifest', () => {
    const cil = selinuxCilFromManifest(load(readFileSync(EXAMPLE, 'utf8')));
    expect(cil?.module).toBe(REFERENCE_MODULE);
    expect(cil?.stub).toBe(REFERENCE_STUB);
  });

  it('is undefined without a custom-policy', () => {
    expect(
      selinuxCilFromManifest(load(readFileSync(new URL('valid-minimal.ctp', FIXTURES), 'utf8'))),
    ).toBeUndefined();
    const typeOnly = load(
      '[package]\nname = "a"\nversion = "1"\n[security.selinux]\ntype = "a_t"\n',
    );
    expect(selinuxCilFromManifest(typeOnly)).toBeUndefined();
  });

  it('refuses a policy that did not pass validation', () => {
    const manifest = {
      package: reference.package,
      security: {
        ...reference.security,
        selinux: { ...reference.security.selinux, customPolicy: 'allow a_t b_t:file frob;' },
      },
    };
    expect(() => selinuxCilFromManifest(manifest)).toThrow(
      expect.objectContaining({ code: 'MANIFEST_SELINUX' }),
    );
  });

  it('writes LF line endings for a CRLF manifest', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace(/\n/g, '\r\n');
    const cil = selinuxCilFromManifest(load(text));
    expect(cil?.module).not.toContain('\r');
    expect(cil?.stub).not.toContain('\r');
  });
});

describe('selinuxModuleName', () => {
  it('maps everything outside [a-z0-9_] to _', () => {
    expect(selinuxModuleName('php-aegis-wordpress')).toBe('vc_php_aegis_wordpress');
    expect(selinuxModuleName('org.example/web__app-2')).toBe('vc_org_example_web__app_2');
    expect(selinuxModuleName('plain_9')).toBe('vc_plain_9');
  });
});

describe('selinuxCilFromPolicy', () => {
  it('expands source, target and class sets into one rule each, keeping permission sets', () => {
    const cil = compile('allow { a_t b_t } { c_t self }:{ file dir } { read getattr };');
    expect(body(cil.module)).toEqual([
      '(allow a_t c_t (file (read getattr)))',
      '(allow a_t c_t (dir (read getattr)))',
      '(allow a_t self (file (read getattr)))',
      '(allow a_t self (dir (read getattr)))',
      '(allow b_t c_t (file (read getattr)))',
      '(allow b_t c_t (dir (read getattr)))',
      '(allow b_t self (file (read getattr)))',
      '(allow b_t self (dir (read getattr)))',
    ]);
    // `self` is CIL's own keyword: never declared by the stub.
    expect(cil.stub).toContain('(type a_t)\n(type b_t)\n(type c_t)\n');
    expect(cil.stub).not.toContain('(type self)');
  });

  it('keeps the rule kinds and the policy order', () => {
    const cil = compile(
      'dontaudit a_t b_t:process signal;\nallow a_t b_t:file read;\nauditallow a_t self:tcp_socket name_bind;',
      'a_t',
    );
    expect(body(cil.module)).toEqual([
      '(type a_t)',
      '(roletype system_r a_t)',
      '(dontaudit a_t b_t (process (signal)))',
      '(allow a_t b_t (file (read)))',
      '(auditallow a_t self (tcp_socket (name_bind)))',
    ]);
  });

  it('declares one type per type statement and keeps them out of the stub', () => {
    const cil = compile('type data_t;\nallow app_t data_t:file read;\ntype log_t;', 'app_t');
    expect(body(cil.module)).toEqual([
      '(type app_t)',
      '(roletype system_r app_t)',
      '(type data_t)',
      '(type log_t)',
      '(allow app_t data_t (file (read)))',
    ]);
    expect(cil.stub).not.toMatch(/\(type (app_t|data_t|log_t)\)/);
  });

  it('passes a repeated type statement through for secilc to judge', () => {
    expect(body(compile('type a_t;', 'a_t').module)).toEqual([
      '(type a_t)',
      '(roletype system_r a_t)',
      '(type a_t)',
    ]);
  });

  it('leaves out the type and roletype without a [security.selinux] type', () => {
    const cil = compile('allow a_t b_t:file read;');
    expect(body(cil.module)).toEqual(['(allow a_t b_t (file (read)))']);
    expect(cil.stub).toContain('(type a_t)\n(type b_t)\n');
  });

  it('builds a sorted stub with the union of permissions per class', () => {
    const cil = compile(
      'allow z_t a_t:tcp_socket { name_connect };\nallow m_t a_t:{ file dir } { write read };\nallow m_t b_t:file open;',
    );
    expect(body(cil.stub)).toEqual([
      '(sid kernel)',
      '(sidorder (kernel))',
      '(role system_r)',
      '(class dir (read write))',
      '(class file (open read write))',
      '(class tcp_socket (name_connect))',
      '(classorder (dir file tcp_socket))',
      '(type a_t)',
      '(type b_t)',
      '(type m_t)',
      '(type z_t)',
    ]);
  });

  it('adds a placeholder rule to the stub when the policy has no rule', () => {
    const cil = compile('# nothing but a type\ntype data_t;', 'app_t');
    expect(body(cil.module)).toEqual([
      '(type app_t)',
      '(roletype system_r app_t)',
      '(type data_t)',
    ]);
    expect(body(cil.stub)).toEqual([
      '(sid kernel)',
      '(sidorder (kernel))',
      '(role system_r)',
      '(class vc-stub (vc-stub))',
      '(classorder (vc-stub))',
      '(type vc-stub)',
      '(allow vc-stub self (vc-stub (vc-stub)))',
    ]);
  });

  it('is deterministic and ends every file with one LF', () => {
    const a = compile('allow a_t { c_t b_t }:file { read open };', 'a_t');
    const b = compile('allow a_t { c_t b_t }:file { read open };', 'a_t');
    expect(a).toEqual(b);
    expect(a.module.endsWith(')\n')).toBe(true);
    expect(a.stub.endsWith(')\n')).toBe(true);
  });
});
