// SPDX-License-Identifier: Apache-2.0
// Build steps (01 §3): one strict table per action, discriminated by `action`.
import { z } from 'zod';
import {
  hash,
  integer,
  matching,
  mode,
  rootfsDirPath,
  rootfsPath,
  rule,
  table,
  userOrGroup,
} from './schema-common.js';
import {
  contextPathProblem,
  httpUrlProblem,
  USER_NAME_PATTERN,
  type ValueProblem,
} from './values.js';

/** `http(s)://…` or `file:<context path>`. */
function fetchUrlProblem(url: string): ValueProblem | undefined {
  if (url.startsWith('file:')) {
    const problem = contextPathProblem(url.slice(5));
    return problem === undefined
      ? undefined
      : { code: 'MANIFEST_PATH', message: `file: path ${problem}` };
  }
  const problem = httpUrlProblem(url);
  return problem === undefined
    ? undefined
    : { code: 'MANIFEST_VALUE', message: `url ${problem} (or file:<context path>)` };
}

const userName = matching(
  USER_NAME_PATTERN,
  (v) => `${JSON.stringify(v)} is not a valid user/group name`,
);
const flag = z.boolean();
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const COMPOSER_PACKAGE =
  /^[a-z0-9](?:[_.-]?[a-z0-9]+)*\/[a-z0-9](?:(?:[_.]|-{1,2})?[a-z0-9]+)*(?::\S+)?$/;

const MkdirStep = table({
  action: z.literal('mkdir'),
  path: rootfsPath,
  mode: mode.default('0755'),
});

const FetchStep = table({
  action: z.literal('fetch'),
  url: rule(z.string(), fetchUrlProblem),
  dest: rootfsPath,
  hash: hash.optional(),
  mode: mode.default('0644'),
});

const VerifyHashStep = table({ action: z.literal('verify-hash'), file: rootfsPath, hash });

const ExtractStep = table({
  action: z.literal('extract'),
  archive: rootfsPath,
  dest: rootfsPath,
  format: z
    .enum(['tar', 'tar.gz', 'tgz', 'tar.xz', 'zip'])
    .transform((f) => (f === 'tgz' ? 'tar.gz' : f))
    .optional(),
  'strip-components': integer(0, 255).default(0),
  'remove-archive': flag.default(false),
});

const CopyStep = table({
  action: z.literal('copy'),
  // Checked as a rootfs or context path by check-steps.ts, depending on `from`.
  src: z.string(),
  dest: rootfsDirPath,
  from: z.enum(['rootfs', 'context']).optional(),
  mode: mode.optional(),
}).transform((s) => ({ ...s, from: s.from ?? (s.src.startsWith('/') ? 'rootfs' : 'context') }));

const WriteFileStep = table({
  action: z.literal('write-file'),
  path: rootfsPath,
  content: z.string().optional(),
  'content-base64': matching(BASE64, () => 'content-base64 is not valid base64').optional(),
  mode: mode.default('0644'),
});

const SymlinkStep = table({
  action: z.literal('symlink'),
  target: rule(z.string(), (v) =>
    v === '' || v.includes('\u0000') ? 'target must be a non-empty path without NUL' : undefined,
  ),
  link: rootfsPath,
  force: flag.default(false),
});

const ChownStep = table({
  action: z.literal('chown'),
  path: rootfsPath,
  user: userOrGroup.optional(),
  group: userOrGroup.optional(),
  recursive: flag.default(false),
});

const ChmodStep = table({
  action: z.literal('chmod'),
  path: rootfsPath,
  mode,
  recursive: flag.default(false),
  'file-mode': mode.optional(),
}).transform((s) => ({ ...s, fileMode: s.fileMode ?? s.mode }));

const UserStep = table({
  action: z.literal('user'),
  name: userName,
  uid: integer(0, 65534).optional(),
  group: userName.optional(),
  home: rootfsPath.default('/nonexistent'),
  shell: rootfsPath.default('/usr/sbin/nologin'),
  system: flag.default(false),
  'create-home': flag.default(false),
}).transform((s) => ({ ...s, group: s.group ?? s.name }));

const GroupStep = table({
  action: z.literal('group'),
  name: userName,
  gid: integer(0, 65534).optional(),
  system: flag.default(false),
  members: z.array(userName).default([]),
});

const ComposerRepository = table({ type: z.enum(['path', 'composer']), url: z.string() });

const ComposerRequireStep = table({
  action: z.literal('composer-require'),
  package: matching(
    COMPOSER_PACKAGE,
    (v) => `${JSON.stringify(v)} is not a composer package "vendor/name[:constraint]"`,
  ),
  // Defaults to runtime.workdir; filled in by the root schema.
  dir: rootfsPath.optional(),
  repositories: z.array(ComposerRepository).default([]),
  packagist: flag.default(true),
});

/** One build step, by action. */
export const StepSchema = z.discriminatedUnion('action', [
  MkdirStep,
  FetchStep,
  VerifyHashStep,
  ExtractStep,
  CopyStep,
  WriteFileStep,
  SymlinkStep,
  ChownStep,
  ChmodStep,
  UserStep,
  GroupStep,
  ComposerRequireStep,
]);

/** Every step action, in the order of 01 §3. */
export const STEP_ACTIONS = [
  'mkdir',
  'fetch',
  'verify-hash',
  'extract',
  'copy',
  'write-file',
  'symlink',
  'chown',
  'chmod',
  'user',
  'group',
  'composer-require',
] as const;

export type StepAction = (typeof STEP_ACTIONS)[number];
