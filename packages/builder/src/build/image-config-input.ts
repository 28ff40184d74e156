// SPDX-License-Identifier: Apache-2.0
// The manifest's [runtime] mapped onto the image config (02 §2), and the User check (01 §2).
import { VcError } from '@verified-container/shared';
import { buildImageLabels } from '@verified-container/shared/generate';
import type { Manifest } from '@verified-container/shared/manifest';
import type { HealthcheckInput, ImageConfigInput, LayerOrigin } from '../oci/image-config.js';
import { resolveId } from '../steps/account-db.js';
import type { RootFs } from '../steps/rootfs.js';
import type { ResolvedBase } from './base-image.js';

const UNIT_NS: Readonly<Record<string, number>> = {
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** `"1m30s"` → nanoseconds (the config's Healthcheck unit). The manifest was validated. */
export function durationNs(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) {
    total += Number(m[1]) * (UNIT_NS[m[2] ?? 's'] ?? 0);
  }
  return total;
}

/** `User` of the config: `user[:group]` as written, or undefined to keep the base's. */
export function configUser(runtime: Manifest['runtime']): string | undefined {
  if (runtime.user === undefined) return undefined;
  return runtime.group === undefined ? runtime.user : `${runtime.user}:${runtime.group}`;
}

/**
 * The user and group of `[runtime]` must exist in the final image (BUILD_USER_UNKNOWN); numeric
 * ids are taken as they are.
 */
export async function assertRuntimeUser(
  rootfs: RootFs,
  runtime: Manifest['runtime'],
): Promise<void> {
  const check = async (which: 'user' | 'group', value: string | undefined) => {
    if (value === undefined) return;
    try {
      await resolveId(rootfs, which, value);
    } catch (err) {
      if (!(err instanceof VcError)) throw err;
      throw new VcError(
        'BUILD_USER_UNKNOWN',
        `runtime.${which}: ${which} ${JSON.stringify(value)} does not exist in the final image`,
        {
          cause: err,
          hint: `add a "${which}" build step creating it, or a package that does, or use a numeric id`,
        },
      );
    }
  };
  await check('user', runtime.user);
  await check('group', runtime.group);
}

/** Everything the image config needs, from the manifest, the base and the layers. Pure. */
export function imageConfigInput(input: {
  readonly manifest: Manifest;
  readonly architecture: string;
  readonly sourceDateEpoch: number;
  readonly base: ResolvedBase;
  readonly layers: readonly { readonly diffId: string; readonly origin: LayerOrigin }[];
  /** The compiled SELinux module (01 §2.3), for the image labels. */
  readonly selinuxModule?: { readonly name: string; readonly policySha256: string };
}): ImageConfigInput {
  const { manifest } = input;
  const runtime = manifest.runtime;
  const hc = runtime.healthcheck;
  const healthcheck: HealthcheckInput | undefined =
    hc === undefined
      ? undefined
      : {
          command: hc.command,
          intervalNs: durationNs(hc.interval),
          timeoutNs: durationNs(hc.timeout),
          startPeriodNs: durationNs(hc.startPeriod),
          retries: hc.retries,
        };
  const user = configUser(runtime);
  return {
    architecture: input.architecture,
    sourceDateEpoch: input.sourceDateEpoch,
    ...(manifest.metadata.maintainer !== undefined ? { author: manifest.metadata.maintainer } : {}),
    ...(input.base.config !== undefined ? { base: input.base.config } : {}),
    env: runtime.environment,
    ...(user !== undefined ? { user } : {}),
    ...(runtime.entrypoint !== undefined ? { entrypoint: runtime.entrypoint } : {}),
    ...(runtime.command !== undefined ? { cmd: runtime.command } : {}),
    workingDir: runtime.workdir,
    exposedPorts: Object.values(runtime.ports).map((p) => `${p.internal}/${p.protocol}`),
    volumes: Object.values(runtime.volumes).map((v) => v.mount),
    labels: buildImageLabels({
      manifest,
      sourceDateEpoch: input.sourceDateEpoch,
      ...(input.base.config?.labels !== undefined ? { baseLabels: input.base.config.labels } : {}),
      ...(input.selinuxModule !== undefined ? { selinuxModule: input.selinuxModule } : {}),
    }),
    ...(runtime.stopSignal !== undefined ? { stopSignal: runtime.stopSignal } : {}),
    ...(healthcheck !== undefined ? { healthcheck } : {}),
    layers: input.layers,
  };
}
