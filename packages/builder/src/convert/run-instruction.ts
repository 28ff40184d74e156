// SPDX-License-Identifier: Apache-2.0
// RUN: every `&&`/`;` part is converted or listed on its own, at the line it is written on.
import type { ManifestDraft } from './manifest-draft.js';
import { lineAt, type DockerfileInstruction } from './parse-dockerfile.js';
import type { RunMapping } from './run-commands.js';
import { mapRunCommand } from './run-commands.js';
import { convertRunPart, splitRunParts } from './run-parts.js';
import { lexWords } from './shell-lexer.js';

export function convertRun(ins: DockerfileInstruction, d: ManifestDraft): void {
  if (ins.heredocs.length > 0) return d.list(ins.line, ins.text, 'heredocs are not converted');
  for (const flag of ins.flags) {
    const text = `RUN --${flag.name}${flag.value === undefined ? '' : `=${flag.value}`}`;
    d.list(ins.line, text, `--${flag.name} is not converted; the steps run without it`);
  }
  const ctx = { workdir: d.workdir };
  if (ins.exec !== undefined) {
    apply(d, ins.line, `RUN ${ins.args}`, mapRunCommand(ins.exec, ctx));
    return;
  }
  // RUN's shell form is POSIX sh: its escape character is `\` whatever the Dockerfile's is.
  const tokens = lexWords(ins.args, { shell: true, escape: '\\', lookup: d.lookup });
  for (const part of splitRunParts(tokens)) {
    const text = `RUN ${ins.args.slice(part.start, part.end)}`;
    apply(d, lineAt(ins, part.start), text, convertRunPart(part, ctx));
  }
}

function apply(d: ManifestDraft, line: number, text: string, mapping: RunMapping): void {
  if (mapping.kind === 'ignored') return;
  if (mapping.kind === 'unsupported') return d.list(line, text, mapping.reason);
  // Steps run as root; a command Docker ran as another user would leave other owners behind.
  const root = d.runsAsRoot();
  if (root !== true) {
    const who = root === undefined ? 'a user that is not known' : `user ${JSON.stringify(d.user)}`;
    return d.list(line, text, `runs as ${who}, and build steps run as root`);
  }
  switch (mapping.kind) {
    case 'packages':
      mapping.packages.forEach((p) => d.addPackage(p));
      return;
    case 'steps':
      d.steps.push(...mapping.steps);
      return;
  }
}
