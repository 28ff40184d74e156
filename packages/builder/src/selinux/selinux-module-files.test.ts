// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { parseManifest, type Manifest } from '@verified-container/shared/manifest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedExec, type ExecCall } from '../debian/scripted-exec.js';
import { buildSelinuxModule, selinuxModuleFiles } from './selinux-module-files.js';

const load = (selinux: string): Manifest => {
  const text = `[package]\nname = "web-app"\nversion = "1"\n${selinux}`;
  const result = parseManifest(text, { source: 'web.ctp' });
  if (result.manifest === undefined) throw new Error(JSON.stringify(result.diagnostics));
  return result.manifest;
};

const POLICY = `[security.selinux]
type = "web_t"
custom-policy = "allow web_t etc_t:file { read open };"
`;

describe('selinuxModuleFiles', () => {
  let tmpDir: string;
  beforeEach(() => {
    tmpDir = mkdtempSync(join(tmpdir(), 'ct-selinux-unit-'));
  });
  afterEach(() => rmSync(tmpDir, { recursive: true, force: true }));

  /** An exec whose secilc sees the two files it is given, then answers `reply`. */
  const secilc = (reply: { code?: number; stderr?: string } = {}) => {
    const seen: Record<string, string> = {};
    const exec = new ScriptedExec((call: ExecCall) => {
      for (const name of call.args.slice(4)) {
        seen[name] = readFileSync(join(call.opts.cwd ?? '', name), 'utf8');
      }
      return reply;
    });
    return { exec, seen };
  };

  it('returns [] and runs nothing without a custom-policy', async () => {
    const { exec } = secilc();
    const manifest = load('[security.selinux]\ntype = "web_t"\n');
    expect(await selinuxModuleFiles(manifest, { exec, tmpDir })).toEqual([]);
    expect(exec.calls).toEqual([]);
  });

  it('checks stub + module with secilc in a temp dir, then returns the module file', async () => {
    const { exec, seen } = secilc();
    const files = await selinuxModuleFiles(load(POLICY), { exec, tmpDir, env: { PATH: '/x' } });
    expect(exec.calls).toHaveLength(1);
    const call = exec.calls[0]!;
    expect(call.cmd).toBe('secilc');
    expect(call.args).toEqual(['-o', '/dev/null', '-f', '/dev/null', 'stub.cil', 'vc_web_app.cil']);
    expect(call.opts.env).toEqual({ PATH: '/x' });
    expect(seen['stub.cil']).toContain('(type etc_t)\n');
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.path).toBe('/usr/share/verified-container/selinux/vc_web_app.cil');
    expect(file.mode).toBe(0o644);
    expect(new TextDecoder().decode(file.bytes)).toBe(seen['vc_web_app.cil']);
    expect(seen['vc_web_app.cil']).toContain('(allow web_t etc_t (file (read open)))\n');
    // The temp dir is gone again.
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('also hands back the module for the image labels', async () => {
    const { exec } = secilc();
    const out = await buildSelinuxModule(load(POLICY), { exec, tmpDir });
    expect(out?.module.moduleName).toBe('vc_web_app');
    expect(out?.files[0]?.path).toBe(out?.module.path);
  });

  it('turns a secilc failure into BUILD_SELINUX_POLICY with its message', async () => {
    const { exec } = secilc({
      code: 255,
      stderr:
        'Re-declaration of type web_t\nPrevious declaration of type at vc_web_app.cil:4\n' +
        'Bad type declaration at vc_web_app.cil:4\nFailed to build AST\nFailed to compile cildb: -1\n',
    });
    const err = await selinuxModuleFiles(load(POLICY), { exec, tmpDir, source: 'web.ctp' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VcError);
    expect(err).toMatchObject({
      code: 'BUILD_SELINUX_POLICY',
      message:
        'web.ctp: security.selinux.custom-policy: secilc rejected the SELinux module vc_web_app: ' +
        'Re-declaration of type web_t (vc_web_app.cil:4)',
      details: { module: 'vc_web_app', exitCode: 255 },
    });
    expect((err as VcError).hint).toMatch(/declare each type once/);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('turns a missing secilc into BUILD_TOOL_MISSING with the apt-get hint', async () => {
    const exec = new ScriptedExec(() => {
      throw new VcError('BUILD_TOOL_MISSING', 'secilc is not installed (not found on PATH)');
    });
    await expect(selinuxModuleFiles(load(POLICY), { exec, tmpDir })).rejects.toMatchObject({
      code: 'BUILD_TOOL_MISSING',
      hint: 'apt-get install secilc',
      details: { tool: 'secilc' },
    });
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('passes other exec failures through unchanged', async () => {
    const boom = new VcError('INTERNAL', 'cannot run secilc: EACCES');
    const exec = new ScriptedExec(() => {
      throw boom;
    });
    await expect(selinuxModuleFiles(load(POLICY), { exec, tmpDir })).rejects.toBe(boom);
  });
});
