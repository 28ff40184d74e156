// SPDX-License-Identifier: Apache-2.0
import { Option, type Command } from 'commander';
import { resolveStoreRoot } from '@verified-container/shared';
import { LineProgress } from '../build/progress.js';
import { shortDigest } from '../build/summary.js';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine, plural } from '../cli/output.js';
import {
  DEFAULT_EXPORT_FORMAT,
  EXPORT_FORMATS,
  exportImage,
  type ExportFormat,
  type ExportResult,
} from '../export/index.js';
import { displayPath } from '../build/summary.js';

interface ExportFlags {
  format: ExportFormat;
  output: string;
  json?: boolean;
}

/** The export command's deps: where progress lines go while large blobs are copied (stderr). */
export interface ExportCommandDeps extends CliDeps {
  readonly progress?: (line: string) => void;
}

export function makeExportCommand(deps: ExportCommandDeps, box: ResultBox): Command {
  return newCommand(
    'export',
    'write an image as a .ctp, an OCI layout, a docker-archive or Sigstore bundles',
  )
    .argument('<image>', 'name[:tag], name@sha256:<hex>, a .ctp package, or oci:<dir>[:<ref>]')
    .addOption(
      new Option('--format <format>', 'what to write')
        .choices([...EXPORT_FORMATS])
        .default(DEFAULT_EXPORT_FORMAT),
    )
    .requiredOption('-o, --output <path>', 'where to write it (must not exist)')
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText(
      'after',
      `
Formats:
  ctp             the .ctp package: manifest.toml, attestations/, source/, and oci-layout/
                  holding exactly this image as name:version (a .ctp argument is copied)
  oci             an OCI image layout directory: the image tagged name:tag
                  (org.opencontainers.image.ref.name) and the attestation bundle as an OCI
                  artifact manifest whose subject is the image; read it with
                  skopeo inspect oci:<dir>:<name:tag> or umoci unpack
  oci-archive     that layout as a tar (skopeo's oci-archive:<file>)
  docker-archive  a tar for docker load / podman load: manifest.json, <config>.json,
                  <diffid>/layer.tar (uncompressed) and repositories; no attestations
  sigstore-bundle a directory with one Sigstore bundle v0.3 (DSSE envelope, public-key hint =
                  our key id, no log entries) per attestation and signature, named
                  <name>-<i>-<keyid hex first 12>.sigstore.json; @sigstore/verify accepts
                  them offline with our public keys and tlog/ctlog/timestamp thresholds 0

The output must not exist; for oci and sigstore-bundle an empty directory is also accepted. It appears only
once complete. Every blob is checked against its digest (layers also against their diffId
when uncompressed); tars follow the reproducibility rules of the build, so the same image
exports to the same bytes. Large blobs report progress on stderr.

Exit status: 0 written; 1 image not found, output exists, damaged image, no or unsigned
attestations (sigstore-bundle); 2 usage, read or write error.

Examples:
  cerro-torre export hello:1.0.0 --format oci --output hello-oci
  cerro-torre export dist/hello-1.0.0.ctp --format docker-archive -o hello.tar
  cerro-torre export hello:1.0.0 --format sigstore-bundle --output hello-sigstore`,
    )
    .action(
      action(box, 'builder', async (image: string, flags: ExportFlags) =>
        runExport(image, flags, deps),
      ),
    );
}

async function runExport(
  image: string,
  flags: ExportFlags,
  deps: ExportCommandDeps,
): Promise<CommandResult> {
  const write = deps.progress ?? ((line: string) => void process.stderr.write(line));
  const result = await exportImage(
    {
      image,
      format: flags.format,
      output: flags.output,
      cwd: deps.cwd,
      root: resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir }),
    },
    { progress: new LineProgress(write) },
  );
  const stderr = exportSummary(result, deps.cwd);
  if (flags.json === true) return { exitCode: 0, stdout: jsonLine(result), stderr };
  return { exitCode: 0, stderr };
}

/** `✓ exported …` and, for a layout without bundle, a `!` line. Pure. */
export function exportSummary(result: ExportResult, cwd: string): string {
  const lines = [
    `✓ ${result.ref}  ${shortDigest(result.digest)}  (${plural(result.layers, 'layer')}) → ${displayPath(result.output, cwd)} (${result.format})`,
  ];
  if (result.files !== undefined) {
    lines.push(`  ${plural(result.files.length, 'Sigstore bundle')}:`);
    lines.push(...result.files.map((f) => `    ${f}`));
  }
  if ((result.format === 'oci' || result.format === 'oci-archive') && !result.bundle) {
    lines.push('! the image has no attestation bundle: the layout holds the image alone');
  }
  return `${lines.join('\n')}\n`;
}
