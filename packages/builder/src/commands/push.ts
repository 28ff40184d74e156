// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveStoreRoot, VcError } from '@verified-container/shared';
import { LineProgress, verboseLogger } from '../build/index.js';
import { bundleDirOf } from '../build/commit.js';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine, plural } from '../cli/output.js';
import { pathExists, readInputFile } from '../io/files.js';
import {
  BUILDER_REGISTRY_CLIENT,
  defaultDestinations,
  openRegistryClient,
  parseDestinations,
  pushImage,
  readBundleManifest,
  type HttpTransport,
  type PushResult,
} from '../registry/index.js';
import { OciLayoutStore } from '../store/oci-layout-store.js';

interface PushFlags {
  insecure?: boolean;
  verbose?: boolean;
  json?: boolean;
}

/**
 * What push needs beyond the common deps: where progress lines go while blobs are sent (default:
 * the process's stderr, since the result's stderr is printed only at the end), and the HTTP
 * transport (default: Node's fetch).
 */
export interface PushCommandDeps extends CliDeps {
  readonly progress?: (line: string) => void;
  readonly transport?: HttpTransport;
}

export function makePushCommand(deps: PushCommandDeps, box: ResultBox): Command {
  return newCommand('push', 'push an image of the store and its attestation bundle to a registry')
    .argument('<image>', 'name:tag, name@sha256:<hex> or name (= name:latest) in the store')
    .argument(
      '[destinations...]',
      '<registry>/<repo>:<tag> (default: [export.oci] registry with the version and tags)',
    )
    .option('--insecure', 'use plain http for every registry (loopback hosts always do)')
    .option('--verbose', 'debug detail on stderr (and stack traces of errors)')
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText(
      'after',
      `
Pushes, per destination repository: the image's blobs (skipped when the registry has them),
its manifest under each tag, then the attestation bundle as an OCI artifact manifest pushed by
digest (artifactType application/vnd.verified-container.bundle+json, the empty config, one
layer holding the bundle bytes, subject = the image manifest). When the registry has no
referrers API (no OCI-Subject header on the PUT and GET /v2/<repo>/referrers/<digest> is not
200), the artifact is also tagged sha256-<image hex>.att.

Without destinations, the manifest the image was built from decides: [export.oci] registry
with the version and every [export.oci] tags entry.

Registries on localhost, 127.0.0.0/8 and ::1 are spoken to over plain http, others over https
unless --insecure. Credentials come from $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json
or ~/.docker/config.json (as podman login and docker login write them); Bearer-token and Basic
challenges are answered.

Progress (one line per blob) goes to stderr, then one line per tag with the digest.

Exit status: 0 pushed; 1 the push failed (image or bundle missing, registry refused, digest
mismatch); 2 usage or unreadable file; 3 registry unreachable.

Examples:
  cerro-torre push example/hello:1.0.0
  cerro-torre push example/hello:1.0.0 localhost:5000/example/hello:1.0.0
  cerro-torre push example/hello registry.example.org/team/hello:stable --json`,
    )
    .action(
      action(box, 'builder', async (image: string, destinations: string[], flags: PushFlags) =>
        runPush(image, destinations, flags, deps),
      ),
    );
}

async function runPush(
  imageArg: string,
  destinationArgs: readonly string[],
  flags: PushFlags,
  deps: PushCommandDeps,
): Promise<CommandResult> {
  const write = deps.progress ?? ((line: string) => void process.stderr.write(line));
  const logger = flags.verbose === true ? verboseLogger(write, deps.logger) : deps.logger;
  if (imageArg.endsWith('.ctp') || imageArg.startsWith('oci:')) {
    throw new VcError('UNSUPPORTED', `push ${imageArg}: only images of the store can be pushed`, {
      hint: 'load it first (vordr image load), then push name:tag',
    });
  }
  const destinations = parseDestinations(destinationArgs);
  const root = resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir });
  const store = new OciLayoutStore({ root, tool: 'cerro-torre' });
  const image = await resolveImage(store, imageArg);
  const bundleDir = bundleDirOf(root, image.digest);
  const bundlePath = join(bundleDir, 'attestations', 'bundle.json');
  if (!(await pathExists(bundlePath))) {
    throw new VcError(
      'MISSING_ATTESTATION',
      `${imageArg} has no attestation bundle (${bundlePath})`,
      {
        hint: 'rebuild the image with cerro-torre build',
      },
    );
  }
  const bundle = await readInputFile(bundlePath, { what: 'attestation bundle' });
  if (destinations.length === 0) {
    const { manifest, path } = await readBundleManifest(bundleDir);
    destinations.push(...defaultDestinations(manifest, path));
  }

  const result = await pushImage(
    { store, image, destinations, bundle },
    {
      progress: new LineProgress(write),
      openClient: (ref) =>
        openRegistryClient(ref, {
          ...BUILDER_REGISTRY_CLIENT,
          env: deps.env,
          homeDir: deps.homeDir,
          logger,
          ...(flags.insecure === true ? { insecure: true } : {}),
          ...(deps.transport !== undefined ? { transport: deps.transport } : {}),
        }),
    },
  );
  const summary = renderPushSummary(result);
  if (flags.json === true) {
    return { exitCode: 0, stdout: jsonLine(pushDocument(imageArg, result)), stderr: summary };
  }
  return { exitCode: 0, stderr: summary };
}

async function resolveImage(store: OciLayoutStore, ref: string) {
  try {
    return await store.resolve(ref);
  } catch (err) {
    if (err instanceof VcError && err.code === 'INVALID_REFERENCE') {
      throw new VcError('USAGE', err.message, {
        hint: 'the image is name:tag, name@sha256:<hex> or name of the store',
      });
    }
    throw err;
  }
}

/** The human summary on stderr: one line per tag, one per bundle artifact. */
export function renderPushSummary(result: PushResult): string {
  const lines = result.tags.map((t) => `✓ ${t.reference}  ${t.digest}`);
  for (const b of result.bundles) {
    const how =
      b.tag !== undefined ? `no referrers API: tagged ${b.tag}` : 'found by the referrers API';
    lines.push(`✓ attestation bundle: ${b.repository}@${b.digest}  (${how})`);
  }
  const sent = result.blobs.filter((b) => b.uploaded).length;
  lines.push(
    `  ${plural(sent, 'blob')} uploaded, ${result.blobs.length - sent} already in the registry`,
  );
  return `${lines.join('\n')}\n`;
}

/** The `--json` document. */
export function pushDocument(image: string, result: PushResult): Record<string, unknown> {
  return {
    image: { ref: image, digest: result.digest },
    tags: result.tags,
    bundles: result.bundles,
    blobs: result.blobs,
  };
}
