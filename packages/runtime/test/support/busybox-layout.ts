// SPDX-License-Identifier: Apache-2.0
// A one-layer OCI image layout holding the host's static busybox (and its applets), usable as
// `[base] image = "oci:<dir>:busybox"` of a test manifest: no network, built in milliseconds.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeBusyboxRootfs } from './busybox-rootfs.js';

export { staticBusybox } from './busybox-rootfs.js';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes an OCI layout to `dir` with one image tagged `ref`: a single gzip layer (as builds
 * require) holding {@link makeBusyboxRootfs}'s tree with every applet, `/etc/passwd` and
 * `/etc/group` of root and nobody, and `/data`.
 */
export function writeBusyboxLayout(dir: string, busybox: string, ref = 'busybox'): void {
  const rootfs = join(dir, '.rootfs');
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a !== '' && a !== 'busybox');
  makeBusyboxRootfs(rootfs, busybox, {
    applets,
    passwd: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    group: 'root:x:0:\nnogroup:x:65534:\n',
  });
  mkdirSync(join(rootfs, 'data'));

  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const layerTar = join(dir, '.layer.tar');
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    rootfs,
    '-cf',
    layerTar,
    '.',
  ]);
  const diffHex = sha256(readFileSync(layerTar));
  const layer = gzipSync(readFileSync(layerTar), { level: 6 });
  const layerHex = sha256(layer);
  writeFileSync(join(blobs, layerHex), layer);
  rmSync(layerTar);
  rmSync(rootfs, { recursive: true, force: true });

  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffHex}`] },
      history: [{ created_by: 'busybox test layout' }],
    }),
  );
  const configHex = sha256(config);
  writeFileSync(join(blobs, configHex), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${configHex}`,
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: `sha256:${layerHex}`,
          size: layer.length,
        },
      ],
    }),
  );
  const manifestHex = sha256(manifest);
  writeFileSync(join(blobs, manifestHex), manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${manifestHex}`,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': ref },
        },
      ],
    }),
  );
}
