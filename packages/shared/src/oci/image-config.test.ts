// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseImageConfig } from './image-config.js';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const diffId = `sha256:${'a'.repeat(64)}`;

describe('parseImageConfig', () => {
  it('reads platform, diff ids and the config object', () => {
    const doc = parseImageConfig(
      bytes({
        architecture: 'amd64',
        os: 'linux',
        config: {
          Env: ['PATH=/bin'],
          Cmd: ['sh'],
          User: 'www-data',
          ExposedPorts: { '80/tcp': {} },
          Labels: { a: 'b' },
        },
        rootfs: { type: 'layers', diff_ids: [diffId] },
      }),
      'config',
    );
    expect(doc).toEqual({
      architecture: 'amd64',
      os: 'linux',
      diffIds: [diffId],
      config: {
        env: ['PATH=/bin'],
        cmd: ['sh'],
        user: 'www-data',
        exposedPorts: ['80/tcp'],
        labels: { a: 'b' },
      },
    });
  });

  it('refuses what is not a config, naming it', () => {
    expect(() => parseImageConfig(bytes({ rootfs: {} }), 'config X')).toThrow(
      'config X rootfs.diff_ids is not an array',
    );
    expect(() => parseImageConfig(bytes({ rootfs: { diff_ids: ['md5:1'] } }), 'c')).toThrow(
      'c rootfs.diff_ids[0] is not a sha256 digest',
    );
    expect(() => parseImageConfig(new TextEncoder().encode('{'), 'c')).toThrow('c is not JSON');
  });
});
