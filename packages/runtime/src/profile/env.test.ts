// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PATH,
  buildProcessEnv,
  collectRunVariables,
  resolveRuntimeVariables,
} from './env.js';

const vars = new Map([
  ['SET', 'value'],
  ['EMPTY', ''],
]);

describe('resolveRuntimeVariables', () => {
  it.each([
    ['${SET}', 'value'],
    ['${SET:-d}', 'value'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-db:3306}', 'db:3306'],
    ['${UNSET:-db:3306}', 'db:3306'],
    ['$$SET', '$SET'],
    ['a$b ${ x', 'a$b ${ x'],
    ['${SET?}-${EMPTY?m}', 'value-'],
  ])('%s → %s', (text, expected) => {
    expect(resolveRuntimeVariables(text, vars).value).toBe(expected);
  });

  it('makes an unset plain reference empty and reports it', () => {
    expect(resolveRuntimeVariables('x${UNSET}y', vars)).toEqual({ value: 'xy', unset: ['UNSET'] });
  });

  it('refuses the ? forms with the message', () => {
    expect(() => resolveRuntimeVariables('${DB_PASSWORD:?set the password}', vars)).toThrow(
      expect.objectContaining({
        code: 'ENV_REQUIRED',
        message: expect.stringContaining('set the password'),
      }),
    );
    expect(() => resolveRuntimeVariables('${EMPTY:?no}', vars)).toThrow(
      expect.objectContaining({ code: 'ENV_REQUIRED' }),
    );
    expect(() => resolveRuntimeVariables('${UNSET?no}', vars)).toThrow(
      expect.objectContaining({ code: 'ENV_REQUIRED' }),
    );
  });

  it('never reads the process environment', () => {
    process.env['VORDR_TEST_LEAK'] = 'leak';
    try {
      expect(resolveRuntimeVariables('${VORDR_TEST_LEAK}', new Map()).value).toBe('');
    } finally {
      delete process.env['VORDR_TEST_LEAK'];
    }
  });
});

describe('collectRunVariables', () => {
  it('reads env files, then -e flags; K alone copies the caller value or is dropped', () => {
    const result = collectRunVariables({
      envFiles: [{ path: 'a.env', text: '# comment\nA=1\n\nB="q"\n' }],
      envFlags: ['A=2', 'HOME_COPY', 'MISSING'],
      callerEnv: { HOME_COPY: '/root' },
    });
    expect([...result]).toEqual([
      ['B', '"q"'],
      ['A', '2'],
      ['HOME_COPY', '/root'],
    ]);
  });

  it('rejects a bad name with USAGE', () => {
    expect(() => collectRunVariables({ envFlags: ['1BAD=x'] })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});

describe('buildProcessEnv', () => {
  it('resolves the image Env, adds run variables, PATH, HOSTNAME and HOME', () => {
    const { env, warnings } = buildProcessEnv({
      imageEnv: ['WORDPRESS_DB_HOST=${DB_HOST:-db:3306}', 'GREETING=hi ${WHO}', 'KEEP=1'],
      runVariables: new Map([['KEEP', '2']]),
      hostname: 'web1',
      home: '/var/www',
    });
    expect(env).toEqual([
      'WORDPRESS_DB_HOST=db:3306',
      'GREETING=hi ',
      'KEEP=2',
      `PATH=${DEFAULT_PATH}`,
      'HOSTNAME=web1',
      'HOME=/var/www',
    ]);
    expect(warnings).toEqual(['GREETING: ${WHO} is not set; using an empty value']);
  });
});
