// SPDX-License-Identifier: Apache-2.0
// `useradd` and `groupadd` with their simple flags → user and group steps (01 §3).
import { parseOptions, type OptionSpec } from './command-options.js';
import { isPlainAbsolute } from './paths.js';
import type { RunMapping } from './run-commands.js';

/** Login names the manifest accepts (01 §1.4). */
export const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A user or group as chown and USER take it: a name, or a numeric id 0–65534. */
export function isUserOrGroupId(id: string): boolean {
  return ACCOUNT_NAME.test(id) || (/^[0-9]{1,5}$/.test(id) && Number(id) <= 65534);
}

const USERADD_OPTIONS: readonly OptionSpec[] = [
  { key: 'system', short: 'r', long: ['system'] },
  { key: 'uid', short: 'u', long: ['uid'], value: true },
  { key: 'gid', short: 'g', long: ['gid'], value: true },
  { key: 'create-home', short: 'm', long: ['create-home'] },
  { key: 'no-create-home', short: 'M', long: ['no-create-home'] },
  { key: 'home', short: 'd', long: ['home-dir', 'home'], value: true },
  { key: 'shell', short: 's', long: ['shell'], value: true },
  // Debian's useradd already creates a group named after the user, as the user step does.
  { key: 'user-group', short: 'U', long: ['user-group'] },
  { key: 'no-log-init', short: 'l', long: ['no-log-init'] },
];

const GROUPADD_OPTIONS: readonly OptionSpec[] = [
  { key: 'system', short: 'r', long: ['system'] },
  { key: 'gid', short: 'g', long: ['gid'], value: true },
  // The group step leaves an existing group alone, which is what -f asks for.
  { key: 'force', short: 'f', long: ['force'] },
];

export function mapUseradd(args: readonly string[]): RunMapping {
  const parsed = parseOptions(args, USERADD_OPTIONS);
  if (!parsed.ok) return unsupported(parsed.reason);
  const { options, operands } = parsed;
  const name = operands[0];
  if (operands.length !== 1 || name === undefined) return unsupported('expected one user name');
  if (!ACCOUNT_NAME.test(name)) return unsupported(`${JSON.stringify(name)} is not a valid name`);
  const uid = idOption(options.get('uid'));
  if (uid === null) return unsupported('the uid must be a number from 0 to 65534');
  const gid = options.get('gid');
  if (gid !== undefined && !ACCOUNT_NAME.test(gid)) {
    return unsupported('-g must name the group (a user step has no numeric group)');
  }
  const home = options.get('home');
  if (home !== undefined && !isPlainAbsolute(home))
    return unsupported('-d must be an absolute path');
  const shell = options.get('shell');
  if (shell !== undefined && !isPlainAbsolute(shell)) {
    return unsupported('-s must be an absolute path');
  }
  const createHome = options.has('create-home') && !options.has('no-create-home');
  return {
    kind: 'steps',
    steps: [
      {
        action: 'user',
        name,
        uid,
        group: gid,
        // useradd's home is /home/<name>; the user step's default (/nonexistent) fits when none is made.
        home: home ?? (createHome ? `/home/${name}` : undefined),
        shell,
        system: options.has('system') ? true : undefined,
        'create-home': createHome ? true : undefined,
      },
    ],
  };
}

export function mapGroupadd(args: readonly string[]): RunMapping {
  const parsed = parseOptions(args, GROUPADD_OPTIONS);
  if (!parsed.ok) return unsupported(parsed.reason);
  const { options, operands } = parsed;
  const name = operands[0];
  if (operands.length !== 1 || name === undefined) return unsupported('expected one group name');
  if (!ACCOUNT_NAME.test(name)) return unsupported(`${JSON.stringify(name)} is not a valid name`);
  const gid = idOption(options.get('gid'));
  if (gid === null) return unsupported('the gid must be a number from 0 to 65534');
  return {
    kind: 'steps',
    steps: [{ action: 'group', name, gid, system: options.has('system') ? true : undefined }],
  };
}

/** A numeric id; undefined when absent, null when invalid. */
function idOption(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  return /^[0-9]{1,5}$/.test(value) && Number(value) <= 65534 ? Number(value) : null;
}

function unsupported(reason: string): RunMapping {
  return { kind: 'unsupported', reason };
}
