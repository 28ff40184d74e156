// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError, resolveStoreRoot } from '@verified-container/shared';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { sbomFromBundle, sbomSummary } from '../export/index.js';
import { BUNDLE_PATH, openImage } from '../image-arg/index.js';
import { writeFileAtomic } from '../io/files.js';

interface SbomFlags {
  output?: string;
}

const MISSING_BUNDLE_HINT = {
  store: 'the store has no bundles/sha256-<hex>/ for it; build it again with cerro-torre build',
  package: `the package has no ${BUNDLE_PATH}`,
  layout: 'the layout holds no bundle artifact for it; cerro-torre export --format oci keeps one',
} as const;

/** Problems listed on stderr under an invalid SBOM's summary line; the rest are counted. */
const SHOWN_PROBLEMS = 20;

export function makeSbomCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('sbom', "print the SPDX SBOM of an image's attestation bundle")
    .argument('<image>', 'name[:tag], name@sha256:<hex>, a .ctp package, or oci:<dir>[:<ref>]')
    .option('-o, --output <file>', 'write the document to this file instead of stdout')
    .addHelpText(
      'after',
      `
Prints the SPDX 2.3 document carried by the image's attestation bundle (the predicate of
its https://spdx.dev/Document statement) as 2-space JSON on stdout, or writes it to FILE.
One summary line goes to stderr: "SPDX 2.3, 148 packages, valid". The document is checked
against the SPDX 2.3 schema and the SBOM rules, and against the image digest; signatures are
not checked (use cerro-torre verify for that).

Exit status: 0 valid; 1 no bundle or no SPDX statement (MISSING_ATTESTATION), an invalid
SBOM (the document is still printed, the problems listed on stderr), image not found or
damaged; 2 usage, read or write error.

Examples:
  cerro-torre sbom hello:1.0.0
  cerro-torre sbom dist/hello-1.0.0.ctp -o hello.spdx.json`,
    )
    .action(
      action(box, 'builder', async (image: string, flags: SbomFlags) =>
        runSbom(image, flags, deps),
      ),
    );
}

async function runSbom(image: string, flags: SbomFlags, deps: CliDeps): Promise<CommandResult> {
  const root = resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir });
  await using resolved = await openImage(image, { cwd: deps.cwd, root });
  if (resolved.bundle === undefined || !resolved.bundle.paths.includes(BUNDLE_PATH)) {
    throw new VcError('MISSING_ATTESTATION', `${image} has no attestation bundle`, {
      hint: MISSING_BUNDLE_HINT[resolved.argument.kind],
    });
  }
  const sbom = sbomFromBundle(
    await resolved.bundle.read(BUNDLE_PATH),
    resolved.descriptor.digest,
    `${image}: ${BUNDLE_PATH}`,
  );
  const text = `${JSON.stringify(sbom.document, null, 2)}\n`;
  const lines = [sbomSummary(sbom)];
  for (const p of sbom.problems.slice(0, SHOWN_PROBLEMS)) {
    lines.push(`  ${p.code} ${p.path ?? '$'}: ${p.message}`);
  }
  if (sbom.problems.length > SHOWN_PROBLEMS) {
    lines.push(`  … and ${sbom.problems.length - SHOWN_PROBLEMS} more`);
  }
  const exitCode = sbom.problems.length === 0 ? 0 : 1;
  const stderr = `${lines.join('\n')}\n`;
  if (flags.output !== undefined) {
    await writeFileAtomic(resolve(deps.cwd, flags.output), text);
    return { exitCode, stderr };
  }
  return { exitCode, stdout: text, stderr };
}
