// SPDX-License-Identifier: Apache-2.0
// Instructions that set image configuration or variables (01 §7): ENV, ARG, LABEL, WORKDIR, USER,
// EXPOSE, CMD, ENTRYPOINT, VOLUME, HEALTHCHECK and STOPSIGNAL.
import { isUserOrGroupId } from './account-commands.js';
import { keyValues } from './key-values.js';
import type { HealthcheckDraft, ManifestDraft } from './manifest-draft.js';
import { parseExecForm, type DockerfileInstruction } from './parse-dockerfile.js';
import { resolveImagePath } from './paths.js';
import { expandWord, isWord, lexWords, wordProblem } from './shell-lexer.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_LABEL_PREFIX = 'org.verified-container.';
/** Linux signal numbers (x86, arm) and names, as `STOPSIGNAL 9` or `STOPSIGNAL TERM` may give them. */
const SIGNALS = [
  'HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP',
  'TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS',
]
  .join(' ')
  .split(' ');
const SIGNAL_ALIASES = new Set(['IOT', 'POLL', 'RTMIN', 'RTMAX']);
const DURATION = /^(?:[0-9]+(?:ms|s|m|h))+$/;

type Handler = (ins: DockerfileInstruction, d: ManifestDraft) => void;

export const convertEnv: Handler = (ins, d) => {
  const pairs = keyValues(ins, d.lookup, true);
  if (pairs.length === 0) return d.list(ins.line, ins.text, 'ENV without a variable');
  // Every value of one ENV sees the variables as they were before it (Docker's rule).
  const updates: [string, string | undefined][] = [];
  for (const p of pairs) {
    const reason = !ENV_NAME.test(p.key)
      ? `${JSON.stringify(p.key)} is not a variable name [A-Za-z_][A-Za-z0-9_]*`
      : p.value === undefined
        ? `${p.key} has no value`
        : wordProblem(p);
    if (reason !== undefined) {
      d.list(ins.line, `ENV ${p.raw}`, reason);
      d.environment.delete(p.key);
      updates.push([p.key, undefined]);
    } else {
      const value = p.value ?? '';
      d.environment.set(p.key, value);
      updates.push([p.key, value]);
    }
  }
  for (const [k, v] of updates) d.vars.set(k, v);
};

export const convertLabel: Handler = (ins, d) => {
  const pairs = keyValues(ins, d.lookup, true);
  if (pairs.length === 0) return d.list(ins.line, ins.text, 'LABEL without a label');
  for (const p of pairs) {
    const reason =
      p.key === ''
        ? 'empty label name'
        : p.key.startsWith(RESERVED_LABEL_PREFIX)
          ? `the prefix ${RESERVED_LABEL_PREFIX} is reserved for the toolchain`
          : p.value === undefined
            ? `${p.key} has no value`
            : wordProblem(p);
    if (reason !== undefined) d.list(ins.line, `LABEL ${p.raw}`, reason);
    else d.labels.set(p.key, p.value ?? '');
  }
};

/** ARG: listed (a manifest has no build arguments); its default still resolves `$NAME` after it. */
export function convertArg(ins: DockerfileInstruction, d: ManifestDraft, global: boolean): void {
  const pairs = keyValues(ins, global ? (n) => d.globalArgs.get(n) : d.lookup, false);
  if (pairs.length === 0) return d.list(ins.line, ins.text, 'ARG without a name');
  for (const p of pairs) {
    let value = p.value;
    if (p.problems.length > 0 || p.unresolved.length > 0) value = undefined;
    // `ARG NAME` inside a stage brings in the global ARG's default.
    else if (value === undefined && !global) value = d.globalArgs.get(p.key);
    if (global) d.globalArgs.set(p.key, value);
    else if (!d.environment.has(p.key)) d.vars.set(p.key, value);
    d.list(
      ins.line,
      `ARG ${p.raw}`,
      value === undefined
        ? `a manifest has no build arguments; $${p.key} has no known value`
        : `a manifest has no build arguments; its default ${JSON.stringify(value)} is used`,
    );
  }
}

export const convertWorkdir: Handler = (ins, d) => {
  const w = expandWord(ins.args, { escape: ins.escape, lookup: d.lookup });
  const reason = wordProblem(w) ?? (w.value === '' ? 'WORKDIR without a path' : undefined);
  const resolved = reason === undefined ? resolveImagePath(w.value, d.workdir) : undefined;
  if (resolved === undefined) {
    d.list(ins.line, ins.text, reason ?? 'relative to a WORKDIR that is not known');
    d.workdir = undefined;
    return;
  }
  d.workdir = resolved.path;
};

export const convertUser: Handler = (ins, d) => {
  const w = expandWord(ins.args, { escape: ins.escape, lookup: d.lookup });
  const [user = '', group, ...more] = w.value.split(':');
  const bad = [user, group].find((id) => id !== undefined && !isUserOrGroupId(id));
  const reason =
    wordProblem(w) ??
    (more.length > 0 || bad !== undefined
      ? `${JSON.stringify(bad ?? w.value)} is not a user or group name or id`
      : undefined);
  if (reason !== undefined) {
    d.list(ins.line, ins.text, reason);
    d.userKnown = false;
    d.user = undefined;
    d.group = undefined;
    return;
  }
  d.userKnown = true;
  d.user = user;
  d.group = group;
};

export const convertExpose: Handler = (ins, d) => {
  const words = lexWords(ins.args, { escape: ins.escape, lookup: d.lookup }).filter(isWord);
  if (words.length === 0) return d.list(ins.line, ins.text, 'EXPOSE without a port');
  for (const w of words) {
    const m = /^([0-9]{1,5})(?:\/([A-Za-z]+))?$/.exec(w.value);
    const port = Number(m?.[1]);
    const protocol = (m?.[2] ?? 'tcp').toLowerCase();
    const reason =
      wordProblem(w) ??
      (m === null
        ? `${JSON.stringify(w.value)} is not a port (ranges are not converted)`
        : port < 1 || port > 65535
          ? `port ${port} is out of range`
          : protocol !== 'tcp' && protocol !== 'udp'
            ? `protocol ${protocol} is not converted (tcp and udp are)`
            : undefined);
    if (reason !== undefined) {
      d.list(ins.line, `EXPOSE ${ins.args.slice(w.start, w.end)}`, reason);
      continue;
    }
    const existing = [...d.ports.values()];
    if (existing.some((p) => p.internal === port && (p.protocol ?? 'tcp') === protocol)) continue;
    const name = d.ports.has(`port-${port}`) ? `port-${port}-${protocol}` : `port-${port}`;
    d.ports.set(name, protocol === 'udp' ? { internal: port, protocol } : { internal: port });
  }
};

/** CMD and ENTRYPOINT: the exec form as is; the shell form through /bin/sh -c, listed. */
export function convertCommand(ins: DockerfileInstruction, d: ManifestDraft): void {
  const argv = commandArgv(ins, d, ins.exec, ins.args);
  if (argv === undefined) return;
  if (ins.keyword === 'CMD') d.command = argv;
  else d.entrypoint = argv;
}

export const convertVolume: Handler = (ins, d) => {
  const paths =
    ins.exec?.map((value) => ({ value, reason: undefined as string | undefined })) ??
    lexWords(ins.args, { escape: ins.escape, lookup: d.lookup })
      .filter(isWord)
      .map((w) => ({ value: w.value, reason: wordProblem(w) }));
  if (paths.length === 0) return d.list(ins.line, ins.text, 'VOLUME without a path');
  for (const p of paths) {
    const resolved = p.value.startsWith('/') ? resolveImagePath(p.value, '/') : undefined;
    const reason = p.reason ?? (resolved === undefined ? 'not an absolute path' : undefined);
    if (reason !== undefined || resolved === undefined) {
      d.list(ins.line, `VOLUME ${p.value}`, reason ?? 'not an absolute path');
    } else if (!d.volumes.includes(resolved.path)) {
      d.volumes.push(resolved.path);
    }
  }
};

export const convertHealthcheck: Handler = (ins, d) => {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(ins.args);
  const kind = m?.[1]?.toUpperCase();
  const rest = m?.[2] ?? '';
  if (kind === 'NONE') {
    d.healthcheck = undefined;
    return;
  }
  if (kind !== 'CMD') return d.list(ins.line, ins.text, 'expected HEALTHCHECK CMD or NONE');
  const command = commandArgv(ins, d, parseExecForm(rest), rest);
  if (command === undefined) return;
  if (command.length === 0) return d.list(ins.line, ins.text, 'HEALTHCHECK CMD without a command');
  const hc: { -readonly [K in keyof HealthcheckDraft]: HealthcheckDraft[K] } = { command };
  for (const flag of ins.flags) {
    const value = flag.value ?? '';
    const listFlag = (reason: string): void =>
      d.list(
        ins.line,
        `HEALTHCHECK --${flag.name}${flag.value === undefined ? '' : `=${value}`}`,
        reason,
      );
    switch (flag.name) {
      case 'interval':
      case 'timeout':
      case 'start-period':
        // Docker reads 0 as "the default", which is also the manifest's default.
        if (/^0+(?:ms|s|m|h)?$/.test(value)) break;
        if (DURATION.test(value)) hc[flag.name] = value;
        else listFlag('not a duration like 30s or 1m30s');
        break;
      case 'retries':
        if (/^[0-9]+$/.test(value) && Number(value) >= 1 && Number(value) <= 1_000_000) {
          hc.retries = Number(value);
        } else if (value !== '0') {
          listFlag('not a number of retries');
        }
        break;
      default:
        listFlag(`--${flag.name} is not converted`);
    }
  }
  d.healthcheck = hc;
};

export const convertStopSignal: Handler = (ins, d) => {
  const w = expandWord(ins.args, { escape: ins.escape, lookup: d.lookup });
  const reason = wordProblem(w);
  const signal = reason === undefined ? signalName(w.value.trim()) : undefined;
  if (signal === undefined) {
    return d.list(ins.line, ins.text, reason ?? `${JSON.stringify(w.value)} is not a Linux signal`);
  }
  d.stopSignal = signal;
};

function commandArgv(
  ins: DockerfileInstruction,
  d: ManifestDraft,
  exec: readonly string[] | undefined,
  shell: string,
): readonly string[] | undefined {
  if (exec !== undefined) return exec;
  if (shell.trim() === '') {
    d.list(ins.line, ins.text, `${ins.keyword} without a command`);
    return undefined;
  }
  d.list(ins.line, ins.text, 'shell form: converted to ["/bin/sh", "-c", …], which needs a shell');
  return ['/bin/sh', '-c', shell];
}

function signalName(value: string): string | undefined {
  if (/^[0-9]+$/.test(value)) {
    const name = SIGNALS[Number(value) - 1];
    return name === undefined ? undefined : `SIG${name}`;
  }
  const name = value.toUpperCase().replace(/^SIG/, '');
  return SIGNALS.includes(name) || SIGNAL_ALIASES.has(name) ? `SIG${name}` : undefined;
}
