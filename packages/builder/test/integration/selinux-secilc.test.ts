// SPDX-License-Identifier: Apache-2.0
// The custom-policy module checked by the real secilc (01 §2.3, §5.4).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isVcError } from '@verified-container/shared';
import {
  SELINUX_CLASSES,
  parseManifest,
  selinuxCilFromManifest,
  selinuxPermissions,
  type Manifest,
} from '@verified-container/shared/manifest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChildProcessExec } from '../../src/debian/exec.js';
import { checkSelinuxModule, selinuxModuleFiles } from '../../src/selinux/index.js';

const hasSecilc = (process.env['PATH'] ?? '')
  .split(delimiter)
  .some((dir) => dir !== '' && existsSync(join(dir, 'secilc')));

const EXAMPLE = new URL(
  '../../../../examples/php-aegis-wordpress/php-aegis-wordpress.ctp',
  import.meta.url,
);

const load = (text: string, source = 'x.ctp'): Manifest => {
  const result = parseManifest(text, { source });
  if (result.manifest === undefined) throw new Error(JSON.stringify(result.diagnostics));
  return result.manifest;
};

/** A valid manifest (it passes `validate`) with this `[security.selinux]` type and policy. */
const withPolicy = (policy: string, type = 'app_t'): Manifest =>
  load(
    `[package]\nname = "sel-app"\nversion = "1"\n[security.selinux]\ntype = "${type}"\n` +
      `custom-policy = """\n${policy}\n"""\n`,
  );

const exec = new ChildProcessExec();

describe('SELinux module check with secilc', () => {
  let tmpDir: string;
  beforeEach(() => {
    tmpDir = mkdtempSync(join(tmpdir(), 'ct-selinux-it-'));
  });
  afterEach(() => rmSync(tmpDir, { recursive: true, force: true }));

  const rejection = async (manifest: Manifest) => {
    const err = await selinuxModuleFiles(manifest, { exec, tmpDir, source: 'x.ctp' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isVcError(err)) throw new Error(`expected a VcError, got ${String(err)}`);
    expect(readdirSync(tmpDir)).toEqual([]);
    return err;
  };

  describe.skipIf(!hasSecilc)('with secilc installed', () => {
    it('compiles the example manifest module and returns it as an image file', async () => {
      const manifest = load(readFileSync(EXAMPLE, 'utf8'), 'php-aegis-wordpress.ctp');
      const files = await selinuxModuleFiles(manifest, { exec, tmpDir });
      expect(files.map((f) => [f.path, f.mode])).toEqual([
        ['/usr/share/verified-container/selinux/vc_php_aegis_wordpress.cil', 0o644],
      ]);
      const text = new TextDecoder().decode(files[0]!.bytes);
      expect(text).toBe(selinuxCilFromManifest(manifest)?.module);
      expect(text).toContain(
        '(allow container_web_t self (tcp_socket (create bind listen accept)))',
      );
      expect(readdirSync(tmpDir)).toEqual([]);
    });

    it('compiles a policy with only type statements (the stub adds a placeholder rule)', async () => {
      const files = await selinuxModuleFiles(withPolicy('type app_data_t;\ntype app_log_t;'), {
        exec,
        tmpDir,
      });
      expect(files).toHaveLength(1);
    });

    it('compiles every shipped class with all of its permissions', async () => {
      const rules = SELINUX_CLASSES.map(
        (cls) => `allow app_t target_t:${cls} { ${[...selinuxPermissions(cls)!].join(' ')} };`,
      );
      const manifest = withPolicy(rules.join('\n'));
      const cil = selinuxCilFromManifest(manifest)!;
      await expect(checkSelinuxModule({ exec, tmpDir }, cil)).resolves.toBeUndefined();
    });

    it('refuses a type statement that redeclares the [security.selinux] type', async () => {
      const err = await rejection(
        withPolicy(
          'type container_web_t;\nallow container_web_t etc_t:file read;',
          'container_web_t',
        ),
      );
      expect(err.code).toBe('BUILD_SELINUX_POLICY');
      expect(err.message).toBe(
        'x.ctp: security.selinux.custom-policy: secilc rejected the SELinux module vc_sel_app: ' +
          'Re-declaration of type container_web_t (vc_sel_app.cil:4)',
      );
      expect(err.hint).toMatch(/declare each type once/);
      expect(err.details?.['stderr']).toMatch(/Failed to compile cildb/);
    });

    it('refuses a type declared twice by the policy', async () => {
      const err = await rejection(
        withPolicy('type data_t;\ntype data_t;\nallow app_t data_t:file read;'),
      );
      expect(err.code).toBe('BUILD_SELINUX_POLICY');
      expect(err.message).toMatch(/Re-declaration of type data_t \(vc_sel_app\.cil:5\)$/);
    });

    it('refuses a CIL reserved word as a type name', async () => {
      const err = await rejection(withPolicy('type self;\nallow app_t etc_t:file read;'));
      expect(err.code).toBe('BUILD_SELINUX_POLICY');
      expect(err.message).toMatch(/Name self is a reserved word \(vc_sel_app\.cil:4\)$/);
    });

    it('refuses a host type name that secilc cannot take (leading underscore)', async () => {
      const err = await rejection(withPolicy('allow app_t _data_t:file read;'));
      expect(err.code).toBe('BUILD_SELINUX_POLICY');
      expect(err.message).toMatch(/First character in _data_t is not a letter \(stub\.cil:\d+\)$/);
    });
  });

  it('reports a missing secilc as BUILD_TOOL_MISSING with the Debian package', async () => {
    const emptyPath = join(tmpDir, 'empty-bin');
    mkdirSync(emptyPath);
    const manifest = withPolicy('allow app_t etc_t:file read;');
    const err = await selinuxModuleFiles(manifest, { exec, tmpDir, env: { PATH: emptyPath } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'BUILD_TOOL_MISSING',
      hint: 'apt-get install secilc',
      details: { tool: 'secilc' },
    });
    expect(readdirSync(tmpDir)).toEqual(['empty-bin']);
  });
});
