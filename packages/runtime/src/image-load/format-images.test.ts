// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../image/list-images.js';
import { ago, formatImageIds, formatImages, humanSize } from './format-images.js';

const D1 = `sha256:${'a'.repeat(64)}`;
const rows: ImageSummary[] = [
  {
    ref: 'example/app:1.0.0',
    name: 'example/app',
    tag: '1.0.0',
    digest: D1,
    created: '2025-12-30T00:00:00Z',
    size: 1758,
    signed: true,
  },
  { ref: 'x:latest', name: 'x', tag: 'latest', digest: D1, size: 12_345_678, signed: false },
];
const now = new Date('2026-01-01T00:00:00Z');

describe('image ls output (05 §10.1)', () => {
  it('prints the table with the columns of the spec', () => {
    expect(formatImages(rows, 'table', { now })).toBe(
      [
        'REPOSITORY    TAG      DIGEST         CREATED      SIZE     SIGNED',
        'example/app   1.0.0    aaaaaaaaaaaa   2 days ago   1.76kB   yes',
        'x             latest   aaaaaaaaaaaa   –            12.3MB   no',
        '',
      ].join('\n'),
    );
  });

  it('-q prints each image once; --digests the full digest; templates; json', () => {
    expect(formatImageIds(rows)).toBe('aaaaaaaaaaaa\n');
    expect(formatImageIds(rows, true)).toBe(`${D1}\n`);
    expect(formatImages(rows, '{{.Repository}}:{{.Tag}} {{.Signed}}', { now })).toBe(
      'example/app:1.0.0 true\nx:latest false\n',
    );
    expect(JSON.parse(formatImages(rows, 'json', { now }))).toEqual(rows);
    expect(() => formatImages(rows, '{{.Nope}}', { now })).toThrow(/unknown --format field/);
  });

  it('sizes and ages', () => {
    expect(humanSize(999)).toBe('999B');
    expect(humanSize(1000)).toBe('1kB');
    expect(humanSize(1_500_000_000)).toBe('1.5GB');
    expect(ago('2025-12-31T23:00:00Z', now)).toBe('1 hour ago');
    expect(ago('not a time', now)).toBe('not a time');
  });
});
