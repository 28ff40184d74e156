// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { testDeps } from '../cli/test-deps.js';
import {
  assertSupportedRunFlags,
  parseBoolFlag,
  parseLabels,
  profileFlags,
  runNetworks,
} from './run-flags.js';

describe('run flags', () => {
  it('refuses -t, --privileged, --network host, and -p without a network', () => {
    expect(() => assertSupportedRunFlags({ tty: true })).toThrow(/-t/);
    expect(() => assertSupportedRunFlags({ privileged: true })).toThrow(/--privileged/);
    expect(() => assertSupportedRunFlags({ network: ['host'] })).toThrow(/--network host/);
    expect(() => assertSupportedRunFlags({ network: ['none'] })).not.toThrow();
    expect(() => assertSupportedRunFlags({ network: ['web', 'back'] })).not.toThrow();
    expect(() => assertSupportedRunFlags({ publish: ['80'], network: ['none'] })).toThrow(
      /-p needs a network/,
    );
  });

  it('reads --network (default vordr), --network-alias and --add-host', () => {
    expect(runNetworks({})).toEqual({
      networks: [{ network: 'vordr', aliases: [] }],
      extraHosts: [],
    });
    expect(
      runNetworks({ network: ['a', 'b', 'a'], networkAlias: ['x'], addHost: ['h:10.0.0.1'] }),
    ).toEqual({
      networks: [
        { network: 'a', aliases: ['x'] },
        { network: 'b', aliases: ['x'] },
      ],
      extraHosts: [{ name: 'h', ip: '10.0.0.1' }],
    });
    expect(runNetworks({ network: ['none'] }).networks).toEqual([]);
    expect(() => runNetworks({ network: ['none', 'a'] })).toThrow(/cannot be combined/);
    expect(() => runNetworks({ network: ['none'], networkAlias: ['x'] })).toThrow(
      /needs a network/,
    );
    expect(() => runNetworks({ network: ['bad name'] })).toThrow(/invalid network name/);
    expect(() => runNetworks({ network: 'abcdefghi'.split('') })).toThrow(/at most 8/);
    expect(() => runNetworks({ networkAlias: ['-x'] })).toThrow(/--network-alias/);
  });

  it('reads --read-only[=BOOL] and labels', () => {
    expect(parseBoolFlag('false', '--read-only')).toBe(false);
    expect(parseBoolFlag(true, '--read-only')).toBe(true);
    expect(() => parseBoolFlag('maybe', '--read-only')).toThrow(/true or false/);
    expect(parseLabels(['a=1', 'b'])).toEqual({ a: '1', b: '' });
    expect(profileFlags({ readOnly: 'true', capDrop: ['ALL'] })).toEqual({
      readOnly: true,
      capDrop: ['ALL'],
    });
  });

  it('an unsupported flag is exit 125 before anything is looked up', async () => {
    const r = await runCli(['run', '-t', 'img'], testDeps());
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^Error \[UNSUPPORTED\]/);
  });

  it('everything after the image is the command', async () => {
    const r = await runCli(
      ['run', '--root', '/nonexistent-vordr', 'img', '-t', '--privileged'],
      testDeps(),
    );
    // -t after the image belongs to the command: the error is about the image, not the flag.
    expect(r.stderr).toMatch(/^Error \[IMAGE_NOT_FOUND\]/);
  });
});
