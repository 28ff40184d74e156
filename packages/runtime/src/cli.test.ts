// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { bindOptionalValues, runCli } from './cli.js';
import { testDeps } from './cli/test-deps.js';

describe('vordr CLI frame', () => {
  it('prints the version', async () => {
    const r = await runCli(['--version'], testDeps());
    expect(r).toMatchObject({ exitCode: 0, stdout: 'vordr 0.1.0\n' });
  });

  it('turns an unknown command into a USAGE error with exit 125', async () => {
    const r = await runCli(['bogus'], testDeps());
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toBe("Error [USAGE]: unknown command 'bogus'\nhint: see vordr --help\n");
  });

  it('turns an unknown option into a USAGE error naming the command', async () => {
    const r = await runCli(['version', '--nope'], testDeps());
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain('hint: see vordr version --help');
  });

  it('accepts global flags before and after the command', async () => {
    expect((await runCli(['--root', '/x', 'version', '--json'], testDeps())).stdout).toContain(
      '"apiVersion":"1"',
    );
    expect((await runCli(['version', '--root', '/x', '--quiet'], testDeps())).exitCode).toBe(0);
  });
});

describe('bindOptionalValues', () => {
  const program = new Command('vordr').option('--root <dir>');
  program.addCommand(
    new Command('run')
      .option('--read-only [bool]')
      .option('--require-selinux [level]')
      .option('--name <name>')
      .option('-u, --user <u[:g]>')
      .option('-v, --volume <src:dst[:opts]>'),
  );
  program.addCommand(new Command('check').option('--watch [interval]'));

  it('binds a bare optional-value flag so that it does not take the image as its value', () => {
    expect(
      bindOptionalValues(['--root', '/s', 'run', '--read-only', '--name', 'x', 'img'], program),
    ).toEqual(['--root', '/s', 'run', '--read-only=true', '--name', 'x', 'img']);
  });

  it('binds only for run: check --watch keeps its interval', () => {
    const withCheck = new Command('vordr');
    withCheck.addCommand(new Command('check').option('--watch [interval]'));
    expect(bindOptionalValues(['check', '--watch', '100ms', 'web'], withCheck)).toEqual([
      'check',
      '--watch',
      '100ms',
      'web',
    ]);
  });

  it('takes a required value written with brackets (`-u <u[:g]>`) as a value flag', () => {
    expect(bindOptionalValues(['run', '-u', '65534:65534', 'img'], program)).toEqual([
      'run',
      '-u',
      '65534:65534',
      'img',
    ]);
  });

  it('leaves explicit values, a value flag’s value and the container’s command alone', () => {
    expect(
      bindOptionalValues(
        ['run', '--read-only=false', '--name', '--require-selinux', 'img', '--read-only'],
        program,
      ),
    ).toEqual(['run', '--read-only=false', '--name', '--require-selinux', 'img', '--read-only']);
    // `[` inside a required value's name makes commander call it optional too.
    expect(bindOptionalValues(['run', '-v', 'data:/d', '--read-only', 'img'], program)).toEqual([
      'run',
      '-v',
      'data:/d',
      '--read-only=true',
      'img',
    ]);
    // Only `run` has docker's flags: `check --watch 100ms web` is commander's.
    expect(bindOptionalValues(['check', '--watch', '100ms', 'web'], program)).toEqual([
      'check',
      '--watch',
      '100ms',
      'web',
    ]);
    expect(bindOptionalValues(['run', '--', '--read-only'], program)).toEqual([
      'run',
      '--',
      '--read-only',
    ]);
  });
});
