// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { cgroupModeOf, selinuxStateOf, toolVersionOf } from './host-facts.js';

describe('host facts for vordr info (05 §11)', () => {
  it('tells the cgroup mode from /sys/fs/cgroup', () => {
    expect(cgroupModeOf(['cgroup.controllers', 'cgroup.procs'])).toBe('v2');
    expect(cgroupModeOf(['cpu', 'memory', 'unified'])).toBe('hybrid');
    expect(cgroupModeOf(['cpu', 'memory'])).toBe('v1');
  });

  it('reads the SELinux state from enforce', () => {
    expect(selinuxStateOf(undefined)).toBe('disabled');
    expect(selinuxStateOf('0\n')).toBe('permissive');
    expect(selinuxStateOf('1')).toBe('enforcing');
  });

  it('reads tool versions', () => {
    expect(toolVersionOf('runc version 1.1.5+ds1\ncommit: …\nspec: 1.0.2-dev\n')).toBe('1.1.5+ds1');
    expect(toolVersionOf('conmon version 2.1.6\ncommit: unknown\n')).toBe('2.1.6');
    expect(toolVersionOf('nftables v1.0.6 (Lester Gooch #5)\n')).toBe('1.0.6');
    expect(toolVersionOf('nothing here')).toBeUndefined();
  });
});
