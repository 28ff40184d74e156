// SPDX-License-Identifier: Apache-2.0
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { parseManifest, type ManifestDiagnostic } from '@verified-container/shared/manifest';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { convertDockerfile, formatNotConverted } from '../convert/convert-dockerfile.js';
import { parseDockerfile } from '../convert/parse-dockerfile.js';
import { readInputFile, writeFileAtomic } from '../io/files.js';
import { DEFAULT_INIT_VERSION, nameFromDirectory } from './init.js';
import { humanDiagnostics } from './validate.js';

/** Dockerfiles are small; a bigger file is almost certainly not one. */
const DOCKERFILE_MAX_BYTES = 1024 * 1024;

interface ConvertFlags {
  output?: string;
  name?: string;
  version?: string;
  strict?: boolean;
}

export function makeConvertDockerfileCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('convert-dockerfile', 'convert a Dockerfile into a .ctp manifest')
    .argument('<dockerfile>', 'the Dockerfile to convert')
    .option('-o, --output <file>', 'write the manifest to FILE (default: stdout)')
    .option('--name <name>', "image name (default: the Dockerfile's directory name)")
    .option('--version <version>', `image version (default ${DEFAULT_INIT_VERSION})`)
    .option('--strict', 'exit 1 when anything could not be converted')
    .addHelpText(
      'after',
      `
Converts the last stage of a Dockerfile: FROM debian or an official php, nginx, httpd,
mariadb, redis, postgres, python or node image becomes a cerro-torre/debian base plus
Debian packages; apt-get install, mkdir, chown, chmod, ln -s, useradd, groupadd and
composer require become packages and build steps; COPY and ADD become copy, extract and
fetch steps; ENV, WORKDIR, USER, EXPOSE, CMD, ENTRYPOINT, VOLUME, HEALTHCHECK, LABEL
and STOPSIGNAL become [runtime] settings.

Everything else (ARG, SHELL, ONBUILD, RUN --mount, heredocs, other commands, earlier build
stages, variables whose value is not known) is listed, one line each on stderr as
  Dockerfile:<line>: not converted: <instruction> (<reason>)
and again as comments at the top of the manifest. A downloaded file gets the placeholder
hash "sha256:...", which 'cerro-torre validate' reports until the real digest is filled in.

Exit status: 0 converted (even if something was listed), 1 something was listed and
--strict was given, or --name/--version is invalid; 2 unreadable Dockerfile, write
failure or usage error.

Examples:
  cerro-torre convert-dockerfile Dockerfile
  cerro-torre convert-dockerfile --strict -o app.ctp --name app --version 1.0.0 Dockerfile`,
    )
    .action(
      action(box, 'builder', async (file: string, flags: ConvertFlags) =>
        convertDockerfileFile(file, flags, deps),
      ),
    );
}

export async function convertDockerfileFile(
  file: string,
  flags: ConvertFlags,
  deps: CliDeps,
): Promise<CommandResult> {
  const path = resolve(deps.cwd, file);
  const bytes = await readInputFile(path, { maxBytes: DOCKERFILE_MAX_BYTES, what: 'Dockerfile' });
  if (bytes.length > DOCKERFILE_MAX_BYTES) {
    throw new VcError('READ_FAILED', `cannot read Dockerfile ${file}: it is larger than 1 MiB`);
  }
  const name = flags.name ?? ociName(nameFromDirectory(dirname(path)));
  const version = flags.version ?? DEFAULT_INIT_VERSION;
  const result = convertDockerfile(parseDockerfile(new TextDecoder().decode(bytes)), {
    name,
    version,
    source: file,
  });
  const listing = result.notConverted.map((n) => `${formatNotConverted(file, n)}\n`).join('');

  // The output must load; only the placeholder hashes of downloads are left for the user to fill.
  const manifestName = flags.output ?? `${name}.ctp`;
  const check = parseManifest(result.manifestText, { source: manifestName });
  const errors = check.diagnostics.filter((d) => d.severity === 'error' && !isPlaceholderHash(d));
  if (errors.length > 0) {
    return { exitCode: 1, stderr: listing + humanDiagnostics(manifestName, errors) };
  }

  const exitCode = flags.strict === true && result.notConverted.length > 0 ? 1 : 0;
  if (flags.output === undefined) {
    return { exitCode, stdout: result.manifestText, stderr: listing || undefined };
  }
  await writeFileAtomic(resolve(deps.cwd, flags.output), result.manifestText);
  return { exitCode, stderr: `${listing}wrote ${flags.output}\n` };
}

function isPlaceholderHash(d: ManifestDiagnostic): boolean {
  return (
    d.code === 'MANIFEST_HASH' &&
    /^\$\.build\.steps\[[0-9]+\]\.hash$/.test(d.path) &&
    d.message.startsWith('placeholder')
  );
}

/** A directory-derived name with separator runs the OCI grammar refuses (`..`, `._`) made `-`. */
function ociName(name: string): string {
  return name.replace(/[._-]{2,}/g, (run) => (run === '__' || /^-+$/.test(run) ? run : '-'));
}
