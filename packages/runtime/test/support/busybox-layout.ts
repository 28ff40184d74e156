// SPDX-License-Identifier: Apache-2.0
// A one-layer OCI image layout holding the host's static busybox (and its applets), usable as
// `[base] image = "oci:<dir>:busybox"` of a test manifest: no network, built in milliseconds.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The host's busybox when it is statically linked (Debian's busybox-static), else undefined. */
export function staticBusybox(): string | undefined {
  for (const path of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!existsSync(path)) continue;
    const ldd = spawnSync('ldd', [path], { encoding: 'utf8' });
    if (`${ldd.stdout}${ldd.stderr}`.includes('not a dynamic executable')) return path;
  }
  return undefined;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes an OCI layout to `dir` with one image tagged `ref`: a single uncompressed layer with
 * `/bin/busybox`, one symlink per applet (a gzip layer, as builds require), `/etc/passwd` and `/etc/group` (root and nobody),
 * `/tmp` and `/data`.
 */
export function writeBusyboxLayout(dir: string, busybox: string, ref = 'busybox'): void {
  const rootfs = join(dir, '.rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['etc', 'tmp', 'data', 'proc', 'sys', 'dev'])
    mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync(busybox, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a !== '' && a !== 'busybox');
  for (const applet of applets) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');

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
