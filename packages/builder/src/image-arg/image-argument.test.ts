// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseImageArgument } from './image-argument.js';

describe('parseImageArgument', () => {
  it('reads oci:<dir>[:<ref>], the ref keeping its own colon', () => {
    expect(parseImageArgument('oci:out', 'none')).toEqual({
      kind: 'layout',
      text: 'oci:out',
      dir: 'out',
    });
    expect(parseImageArgument('oci:out:example/hello:1.0.0', 'none')).toMatchObject({
      kind: 'layout',
      dir: 'out',
      ref: 'example/hello:1.0.0',
    });
  });

  it('takes an existing file as a package, whatever its name', () => {
    expect(parseImageArgument('dist/hello-1.0.0.ctp', 'file')).toEqual({
      kind: 'package',
      text: 'dist/hello-1.0.0.ctp',
      path: 'dist/hello-1.0.0.ctp',
    });
    expect(parseImageArgument('hello', 'file')).toMatchObject({ kind: 'package' });
  });

  it('takes anything else as a store reference, name alone meaning name:latest', () => {
    expect(parseImageArgument('example/hello', 'none')).toMatchObject({
      kind: 'store',
      reference: { kind: 'tag', name: 'example/hello', tag: 'latest' },
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageArgument(`hello@${digest}`, 'none')).toMatchObject({
      kind: 'store',
      reference: { kind: 'digest', name: 'hello', digest },
    });
  });

  it('refuses what cannot be meant, with coded errors', () => {
    expect(() => parseImageArgument('missing.ctp', 'none')).toThrow(
      expect.objectContaining({ code: 'IMAGE_NOT_FOUND' }),
    );
    expect(() => parseImageArgument('some-dir', 'directory')).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        hint: 'for an OCI image layout write oci:some-dir',
      }),
    );
    expect(() => parseImageArgument('oci:', 'none')).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => parseImageArgument('oci:dir:', 'none')).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => parseImageArgument('Not A Name', 'none')).toThrow(
      expect.objectContaining({ code: 'INVALID_REFERENCE' }),
    );
  });
});
