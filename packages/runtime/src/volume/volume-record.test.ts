// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { imageDigestOf, volumeNamesOf } from '../image-load/container-usage.js';
import { formatVolumes } from './format-volumes.js';
import { parseLabels, parseVolumeRecord, type VolumeRecord } from './volume-record.js';

const record: VolumeRecord = {
  name: 'wp_content',
  driver: 'local',
  mountpoint: '/var/lib/verified-container/vordr/volumes/wp_content/_data',
  createdAt: '2026-01-01T00:00:00Z',
  labels: { app: 'wp' },
  anonymous: false,
  initialized: false,
};

describe('volume records (05 §10.2, §13)', () => {
  it('round-trips volume.json and refuses a broken one', () => {
    expect(parseVolumeRecord(JSON.stringify(record), 'v.json')).toEqual(record);
    expect(() => parseVolumeRecord('{"name":1}', 'v.json')).toThrow(/not a valid volume record/);
    expect(() => parseVolumeRecord('{', 'v.json')).toThrow(/not valid JSON/);
  });

  it('parses --label flags', () => {
    expect(parseLabels(['a=b', 'c', 'd=e=f'])).toEqual({ a: 'b', c: '', d: 'e=f' });
    expect(() => parseLabels(['=x'])).toThrow(/invalid label/);
  });

  it('formats ls as table, names, json and templates', () => {
    expect(formatVolumes([record])).toBe('DRIVER   VOLUME NAME\nlocal    wp_content\n');
    expect(formatVolumes([record], { quiet: true })).toBe('wp_content\n');
    expect(formatVolumes([record], { format: '{{.Name}} {{.Labels}}' })).toBe(
      'wp_content app=wp\n',
    );
    expect(JSON.parse(formatVolumes([record], { format: 'json' }))).toEqual([record]);
  });

  it('reads which volumes and image a container record uses', () => {
    const r = {
      id: 'x',
      name: 'web',
      image: { digest: 'sha256:1' },
      volumes: ['a', { name: 'b' }],
      mounts: [
        { type: 'volume', source: 'c' },
        { type: 'bind', source: '/srv' },
      ],
    };
    expect(volumeNamesOf(r)).toEqual(['a', 'b', 'c']);
    expect(imageDigestOf(r)).toBe('sha256:1');
    expect(imageDigestOf({ id: 'y', name: 'y', imageDigest: 'sha256:2' })).toBe('sha256:2');
  });
});
