// SPDX-License-Identifier: Apache-2.0
// `--security-opt` values (05 §3): label=type:T, label=level:L, label=disable,
// seccomp=PATH|unconfined, no-new-privileges[=true].
import { VcError } from '@verified-container/shared';

export type SecurityOpt =
  | { readonly kind: 'label-type'; readonly type: string }
  | { readonly kind: 'label-level'; readonly level: string }
  | { readonly kind: 'label-disable' }
  | { readonly kind: 'seccomp-unconfined' }
  | { readonly kind: 'seccomp-profile'; readonly path: string }
  | { readonly kind: 'no-new-privileges' };

const SELINUX_TYPE = /^[a-z][a-z0-9_]*_t$/;
/** `s0`, `s0:c1`, `s0:c0,c1`, `s0-s0:c0.c1023`. */
const SELINUX_LEVEL = /^s[0-9]+(?:-s[0-9]+)?(?::c[0-9]+(?:[.,]c[0-9]+)*)?$/;

function usage(opt: string, why: string): VcError {
  return new VcError('USAGE', `invalid --security-opt ${JSON.stringify(opt)}: ${why}`, {
    hint: 'use label=type:T, label=level:L, label=disable, seccomp=PATH, seccomp=unconfined or no-new-privileges',
  });
}

/** Validates an SELinux type (`container_web_t`); bad ones are `USAGE`. */
export function assertSelinuxType(type: string, what: string): string {
  if (!SELINUX_TYPE.test(type)) {
    throw new VcError('USAGE', `${what}: invalid SELinux type ${JSON.stringify(type)}`, {
      hint: 'a type looks like container_t',
    });
  }
  return type;
}

/** Parses one `--security-opt` (`=` or docker's old `:` separator). */
export function parseSecurityOpt(opt: string): SecurityOpt {
  const sep = opt.search(/[=:]/);
  const key = sep < 0 ? opt : opt.slice(0, sep);
  const value = sep < 0 ? undefined : opt.slice(sep + 1);
  switch (key) {
    case 'no-new-privileges':
      if (value === undefined || value === 'true') return { kind: 'no-new-privileges' };
      if (value === 'false') {
        throw new VcError('UNSUPPORTED', 'no-new-privileges cannot be turned off', {
          hint: 'vordr always sets no_new_privileges',
        });
      }
      throw usage(opt, 'expected no-new-privileges[=true]');
    case 'seccomp':
      if (value === undefined || value === '') throw usage(opt, 'expected seccomp=PATH|unconfined');
      if (value === 'unconfined') return { kind: 'seccomp-unconfined' };
      if (!value.startsWith('/')) throw usage(opt, 'the seccomp profile path must be absolute');
      return { kind: 'seccomp-profile', path: value };
    case 'label': {
      if (value === 'disable') return { kind: 'label-disable' };
      const colon = value?.indexOf(':') ?? -1;
      const sub = value?.slice(0, colon);
      const arg = value?.slice(colon + 1) ?? '';
      if (colon > 0 && sub === 'type') {
        if (!SELINUX_TYPE.test(arg))
          throw usage(opt, `invalid SELinux type ${JSON.stringify(arg)}`);
        return { kind: 'label-type', type: arg };
      }
      if (colon > 0 && sub === 'level') {
        if (!SELINUX_LEVEL.test(arg))
          throw usage(opt, `invalid SELinux level ${JSON.stringify(arg)}`);
        return { kind: 'label-level', level: arg };
      }
      throw usage(opt, 'expected label=type:T, label=level:L or label=disable');
    }
    default:
      throw usage(opt, `unknown option ${JSON.stringify(key)}`);
  }
}
