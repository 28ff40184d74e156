// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { overlayOptions, parseMountPoints, volatileMarker } from './overlay-mount.js';

describe('overlayOptions', () => {
  it('lists lower dirs top first, then upper and work', () => {
    expect(
      overlayOptions({ lowerDirs: ['/l/2', '/l/1'], upperDir: '/u', workDir: '/w', target: '/m' }),
    ).toBe('lowerdir=/l/2:/l/1,upperdir=/u,workdir=/w');
  });

  it('adds volatile last when asked (an --rm container)', () => {
    expect(
      overlayOptions({
        lowerDirs: ['/l'],
        upperDir: '/u',
        workDir: '/w',
        target: '/m',
        volatile: true,
      }),
    ).toBe('lowerdir=/l,upperdir=/u,workdir=/w,volatile');
  });

  it('is null (copy instead) for separators in paths or options longer than a page', () => {
    const base = { upperDir: '/u', workDir: '/w', target: '/m' };
    expect(overlayOptions({ ...base, lowerDirs: ['/a,b'] })).toBeNull();
    expect(overlayOptions({ ...base, lowerDirs: ['/a:b'] })).toBeNull();
    expect(overlayOptions({ ...base, lowerDirs: [] })).toBeNull();
    const many = Array.from(
      { length: 60 },
      (_, i) => `/var/lib/vc/cache/layers/${String(i).repeat(64).slice(0, 64)}`,
    );
    expect(overlayOptions({ ...base, lowerDirs: many })).toBeNull();
  });
});

describe('parseMountPoints', () => {
  it('reads field 5 with octal escapes', () => {
    const info = [
      '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
      '90 22 0:45 / /var/lib/a\\040b/rootfs rw - overlay overlay rw,lowerdir=/x',
    ].join('\n');
    expect(parseMountPoints(info)).toEqual(['/', '/var/lib/a b/rootfs']);
  });
});

describe('volatileMarker', () => {
  it('is work/incompat/volatile inside the work dir', () => {
    expect(volatileMarker('/c/overlay/work')).toBe('/c/overlay/work/work/incompat/volatile');
  });
});
