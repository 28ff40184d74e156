// SPDX-License-Identifier: Apache-2.0
// One simple command of a RUN line (an argv, already expanded) → packages or build steps (01 §7):
// apt-get install, mkdir, chown, chmod, ln -s, useradd/groupadd, composer require. apt-get update
// and clean are dropped, as they have no effect on a declarative build.
import { posix } from 'node:path';
import { isUserOrGroupId, mapGroupadd, mapUseradd } from './account-commands.js';
import { parseOptions, type OptionSpec } from './command-options.js';
import { childPath, resolveImagePath } from './paths.js';
import type { ConvertedStep } from './steps.js';

export type RunMapping =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'packages'; readonly packages: readonly string[] }
  | { readonly kind: 'steps'; readonly steps: readonly ConvertedStep[] }
  | { readonly kind: 'unsupported'; readonly reason: string };

export interface RunContext {
  /** The WORKDIR the command runs in; undefined when it is not known. */
  readonly workdir: string | undefined;
}

/** Debian package `name` or `name=version` (01 §2). */
export const DEB_PACKAGE = /^[a-z0-9][a-z0-9+.-]+(?:=[0-9][A-Za-z0-9.+~:-]*)?$/;
const COMPOSER_PACKAGE =
  /^[a-z0-9](?:[_.-]?[a-z0-9]+)*\/[a-z0-9](?:(?:[_.]|-{1,2})?[a-z0-9]+)*(?::\S+)?$/;
const MODE = /^[0-7]{3,4}$/;
const IGNORED: RunMapping = { kind: 'ignored' };

export function mapRunCommand(argv: readonly string[], ctx: RunContext): RunMapping {
  const [command = '', ...args] = argv;
  switch (command) {
    case 'apt-get':
    case 'apt':
      return mapApt(command, args);
    case 'mkdir':
      return mapMkdir(args, ctx);
    case 'chown':
      return mapChown(args, ctx);
    case 'chmod':
      return mapChmod(args, ctx);
    case 'ln':
      return mapLn(args, ctx);
    case 'useradd':
      return mapUseradd(args);
    case 'groupadd':
      return mapGroupadd(args);
    case 'composer':
      return mapComposer(args, ctx);
    case 'set':
      // Shell options (set -eux, set -o pipefail) change nothing a step does.
      return args.every((a) => /^[-+][A-Za-z]+$/.test(a) || /^[a-z]+$/.test(a))
        ? IGNORED
        : unsupported('set with arguments sets shell variables');
    case 'true':
    case ':':
      return IGNORED;
    default:
      return unsupported(`${JSON.stringify(command)} has no build-step equivalent`);
  }
}

const APT_OPTIONS: readonly OptionSpec[] = [
  { key: 'yes', short: 'y', long: ['yes', 'assume-yes'] },
  { key: 'quiet', short: 'q', long: ['quiet'] },
  { key: 'no-install-recommends', long: ['no-install-recommends'] },
  { key: 'no-install-suggests', long: ['no-install-suggests'] },
];

function mapApt(command: string, args: readonly string[]): RunMapping {
  const parsed = parseOptions(args, APT_OPTIONS);
  if (!parsed.ok) return unsupported(parsed.reason);
  const [sub, ...names] = parsed.operands;
  if (sub === 'update' || sub === 'clean' || sub === 'autoclean') return IGNORED;
  if (sub !== 'install') return unsupported(`${command} ${sub ?? ''} is not converted`.trim());
  for (const name of names) {
    if (!DEB_PACKAGE.test(name)) {
      return unsupported(`${JSON.stringify(name)} is not a package "name" or "name=version"`);
    }
  }
  return names.length === 0 ? IGNORED : { kind: 'packages', packages: names };
}

const MKDIR_OPTIONS: readonly OptionSpec[] = [
  { key: 'parents', short: 'p', long: ['parents'] },
  { key: 'mode', short: 'm', long: ['mode'], value: true },
  { key: 'verbose', short: 'v', long: ['verbose'] },
];

function mapMkdir(args: readonly string[], ctx: RunContext): RunMapping {
  const parsed = parseOptions(args, MKDIR_OPTIONS);
  if (!parsed.ok) return unsupported(parsed.reason);
  const mode = parsed.options.get('mode');
  if (mode !== undefined && !MODE.test(mode)) return symbolicMode(mode);
  return eachPath(parsed.operands, ctx, (path) => ({ action: 'mkdir', path, mode }));
}

const OWNER_OPTIONS: readonly OptionSpec[] = [
  { key: 'recursive', short: 'R', long: ['recursive'] },
  // Steps never follow symlinks, which is what -h asks for.
  { key: 'no-dereference', short: 'h', long: ['no-dereference'] },
  { key: 'verbose', short: 'v', long: ['verbose'] },
  { key: 'changes', short: 'c', long: ['changes'] },
  { key: 'silent', short: 'f', long: ['silent', 'quiet'] },
];

function mapChown(args: readonly string[], ctx: RunContext): RunMapping {
  const parsed = parseOptions(args, OWNER_OPTIONS);
  if (!parsed.ok) return unsupported(parsed.reason);
  const [owner, ...paths] = parsed.operands;
  const m = /^([^:]*)(?:(:)([^:]*))?$/.exec(owner ?? '');
  const user = m?.[1] || undefined;
  const group = m?.[3] || undefined;
  if (m === null || (user === undefined && group === undefined)) {
    return unsupported('expected an owner "user", "user:group" or ":group"');
  }
  if (m[2] !== undefined && group === undefined) {
    return unsupported(`"${user}:" (the user's login group) is not converted; name the group`);
  }
  for (const id of [user, group]) {
    if (id !== undefined && !isUserOrGroupId(id)) {
      return unsupported(`${JSON.stringify(id)} is not a user or group name or id`);
    }
  }
  const recursive = parsed.options.has('recursive') ? true : undefined;
  return eachPath(paths, ctx, (path) => ({ action: 'chown', path, user, group, recursive }));
}

function mapChmod(args: readonly string[], ctx: RunContext): RunMapping {
  const parsed = parseOptions(
    args,
    OWNER_OPTIONS.filter((o) => o.key !== 'no-dereference'),
  );
  if (!parsed.ok) return unsupported(parsed.reason);
  const [mode = '', ...paths] = parsed.operands;
  if (!MODE.test(mode)) return symbolicMode(mode);
  const recursive = parsed.options.has('recursive') ? true : undefined;
  return eachPath(paths, ctx, (path) => ({ action: 'chmod', path, mode, recursive }));
}

const LN_OPTIONS: readonly OptionSpec[] = [
  { key: 'symbolic', short: 's', long: ['symbolic'] },
  { key: 'force', short: 'f', long: ['force'] },
  { key: 'no-dereference', short: 'n', long: ['no-dereference'] },
  { key: 'no-target-directory', short: 'T', long: ['no-target-directory'] },
  { key: 'verbose', short: 'v', long: ['verbose'] },
];

function mapLn(args: readonly string[], ctx: RunContext): RunMapping {
  const parsed = parseOptions(args, LN_OPTIONS);
  if (!parsed.ok) return unsupported(parsed.reason);
  if (!parsed.options.has('symbolic')) return unsupported('hard links are not converted');
  const [target, link, ...more] = parsed.operands;
  if (target === undefined || target === '' || more.length > 0) {
    return unsupported('expected "ln -s TARGET LINK"');
  }
  // `ln -s T` links in the current directory; `ln -s T DIR/` links inside DIR.
  const written = link ?? `./${posix.basename(target)}`;
  const resolved = resolveImagePath(written, ctx.workdir);
  if (resolved === undefined) return unknownWorkdir(written);
  const path = resolved.dir ? childPath(resolved.path, target) : resolved.path;
  const force = parsed.options.has('force') ? true : undefined;
  return { kind: 'steps', steps: [{ action: 'symlink', target, link: path, force }] };
}

const COMPOSER_OPTIONS: readonly OptionSpec[] = [
  // The composer-require step always runs non-interactively, without plugins or scripts, with dist
  // archives and --update-no-dev, so these change nothing.
  { key: 'no-interaction', short: 'n', long: ['no-interaction'] },
  { key: 'no-progress', long: ['no-progress'] },
  { key: 'no-scripts', long: ['no-scripts'] },
  { key: 'no-plugins', long: ['no-plugins'] },
  { key: 'update-no-dev', long: ['update-no-dev'] },
  { key: 'prefer-dist', long: ['prefer-dist'] },
  { key: 'no-ansi', long: ['no-ansi'] },
  { key: 'quiet', short: 'q', long: ['quiet'] },
  { key: 'working-dir', short: 'd', long: ['working-dir'], value: true },
];

function mapComposer(args: readonly string[], ctx: RunContext): RunMapping {
  const parsed = parseOptions(args, COMPOSER_OPTIONS);
  if (!parsed.ok) return unsupported(parsed.reason);
  const [sub, ...operands] = parsed.operands;
  if (sub !== 'require') return unsupported(`composer ${sub ?? ''} is not converted`.trim());
  const packages: string[] = [];
  for (const operand of operands) {
    const last = packages.length - 1;
    // `composer require vendor/name 1.2` pairs a version with the package before it.
    if (!operand.includes('/') && last >= 0 && !packages[last]?.includes(':')) {
      packages[last] = `${packages[last]}:${operand}`;
    } else {
      packages.push(operand.replace(/^([^:= ]+)[= ]/, '$1:'));
    }
  }
  const bad = packages.find((p) => !COMPOSER_PACKAGE.test(p));
  if (packages.length === 0) return unsupported('composer require without a package');
  if (bad !== undefined) {
    return unsupported(`${JSON.stringify(bad)} is not a package "vendor/name[:constraint]"`);
  }
  const written = parsed.options.get('working-dir') ?? '.';
  const dir = resolveImagePath(written, ctx.workdir);
  if (dir === undefined) return unknownWorkdir(written);
  return {
    kind: 'steps',
    steps: packages.map((p) => ({ action: 'composer-require', package: p, dir: dir.path })),
  };
}

function eachPath(
  operands: readonly string[],
  ctx: RunContext,
  step: (path: string) => ConvertedStep,
): RunMapping {
  if (operands.length === 0) return unsupported('no path given');
  const steps: ConvertedStep[] = [];
  for (const operand of operands) {
    if (operand === '' || operand.includes('\u0000')) return unsupported('empty path');
    const resolved = resolveImagePath(operand, ctx.workdir);
    if (resolved === undefined) return unknownWorkdir(operand);
    steps.push(step(resolved.path));
  }
  return { kind: 'steps', steps };
}

function symbolicMode(mode: string): RunMapping {
  return unsupported(
    `mode ${JSON.stringify(mode)} is not converted (only octal modes like 755 are)`,
  );
}

function unknownWorkdir(path: string): RunMapping {
  return unsupported(`${JSON.stringify(path)} is relative to a WORKDIR that is not known`);
}

function unsupported(reason: string): RunMapping {
  return { kind: 'unsupported', reason };
}
