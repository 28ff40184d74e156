// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { explainManifest, parseManifest, renderExplain } from '@verified-container/shared/manifest';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile } from '../io/files.js';
import { humanDiagnostics } from './validate.js';

export function makeExplainCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('explain', 'show what a manifest will build, run and require')
    .argument('<manifest>', 'the .ctp manifest')
    .option('--json', 'print the explanation as one JSON document on stdout')
    .addHelpText(
      'after',
      `
Prints, without building anything: the package, base image, Debian packages, external
dependencies, the numbered build steps with templates resolved, the runtime configuration
(run-time \${…} variables marked), the security profile with the effective capabilities, the
signing threshold and keyholders, the transparency logs and their agreement rule, and the
verification requirements. Then every error and warning of 'validate'.

Exit status: 0 valid, 1 invalid manifest, 2 unreadable file.`,
    )
    .action(
      action(box, 'conformance', async (path: string, flags: { json?: boolean }) =>
        explainFile(path, flags.json === true, deps.cwd),
      ),
    );
}

export async function explainFile(
  path: string,
  json: boolean,
  cwd: string,
): Promise<CommandResult> {
  const bytes = await readInputFile(resolve(cwd, path), {
    maxBytes: 1024 * 1024,
    what: 'manifest',
  });
  const result = parseManifest(bytes, { source: path });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
  const doc = result.manifest !== undefined ? explainManifest(result.manifest) : undefined;
  const text = doc !== undefined ? `${renderExplain(doc).trimEnd()}\n\n` : '';
  const stderr = text + humanDiagnostics(path, result.diagnostics);
  const exitCode = errors.length === 0 ? 0 : 1;
  if (!json) return { exitCode, stderr };
  return {
    exitCode,
    stdout: jsonLine({ valid: errors.length === 0, explain: doc ?? null, errors, warnings }),
    stderr: humanDiagnostics(path, result.diagnostics),
  };
}
