// SPDX-License-Identifier: Apache-2.0
// `cerro-torre verify <image | x.ctp | oci:dir[:ref]>` (04 §9): the people form over the same
// algorithm, with the package, layout and rebuild evidence read here.
import { basename, resolve } from 'node:path';
import { isVcError } from '@verified-container/shared';
import {
  cerroTorreExitCode,
  provenanceSourceDateEpoch,
  readTrustStoreForVerify,
  toVerifyResultJson,
  verifyBundle,
  type VerifyInput,
  type VerifyResult,
} from '@verified-container/shared/verify';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { errorResult, jsonLine } from '../cli/output.js';
import { readInputFile } from '../io/files.js';
import {
  checksOf,
  headerLine,
  renderCheckList,
  type CheckListContext,
} from '../verify-image/check-list.js';
import { rebuildAndCompare, type RebuildReport } from '../verify-image/rebuild.js';
import { openVerifyTarget, type VerifyTarget } from '../verify-image/verify-target.js';
import {
  commonVerifyOptions,
  decide,
  manifestFromPackage,
  readManifestFlag,
  verifyInputOf,
  vulnerabilityGate,
  type ManifestInput,
  type VerifyFlags,
  type VulnDbInput,
} from './verify-options.js';

/** Steps 1–11 on a target; the check list on stderr, `--json` on stdout. */
export async function verifyImageCommand(
  text: string,
  flags: VerifyFlags,
  deps: CliDeps,
): Promise<CommandResult> {
  try {
    return await run(text, flags, deps);
  } catch (err) {
    // 04 §4: a rebuild that cannot download is exit 3, no decision.
    if (isVcError(err) && err.code === 'BUILD_FETCH_FAILED') {
      return errorResult(err, { table: 'builder', json: flags.json === true });
    }
    throw err;
  }
}

async function run(text: string, flags: VerifyFlags, deps: CliDeps): Promise<CommandResult> {
  const common = commonVerifyOptions(flags, deps);
  const trustStoreBytes = await readInputFile(common.trustStorePath, { what: 'trust store' });
  // Setup errors of the trust store come before the target is read (no decision, exit 2).
  const { store: trustStore } = readTrustStoreForVerify(trustStoreBytes);
  await using target = await openVerifyTarget(text, { cwd: deps.cwd, root: common.root });
  const manifest =
    flags.manifest !== undefined
      ? await readManifestFlag(resolve(deps.cwd, flags.manifest))
      : target.manifest !== undefined
        ? await manifestFromPackage(target.manifest.bytes, target.manifest.path)
        : undefined;
  const now = common.explicitNow ?? deps.clock.now();
  const vulnerabilities = await vulnerabilityGate(flags, manifest, deps, target.bundleBytes);
  const input: VerifyInput = {
    ...verifyInputOf({
      bundleBytes: target.bundleBytes,
      trustStoreBytes,
      now,
      common,
      flags,
      manifest,
      vulnerabilities,
    }),
    image: target.evidence,
  };
  const rebuild = flags.rebuild === true;
  let report: RebuildReport | undefined;
  const { result } = await decide(
    input,
    {
      flags,
      common,
      now,
      manifest,
      vulnDb: vulnerabilities.db,
      imageDigest: common.imageDigest ?? target.evidence.layoutDigest ?? null,
      // The key names the image, not the package or its blobs: a result is reused (and stored)
      // only when steps 1 and 5 found the package and layout intact for this very image.
      useCache:
        common.explicitNow === undefined &&
        flags.cache !== false &&
        !rebuild &&
        evidenceIntact(target),
    },
    deps,
    async (i) => {
      const first = verifyBundle(i);
      // Step 11 only when the earlier steps did not stop: a broken package is not rebuilt.
      if (!rebuild || first.details.stoppedAt !== undefined) return first;
      report = await rebuildTarget(target, flags, common.root, deps);
      return verifyBundle({ ...i, rebuild: report.outcome });
    },
  );

  const ctx = checkListContext(result, {
    trustStore,
    manifest,
    vulnDb: vulnerabilities.runs ? { db: vulnerabilities.db } : undefined,
    rebuild,
    report,
    maxSeverity: manifest?.requirements?.vulnerabilityPolicy?.maxSeverity ?? 'high',
  });
  const header = headerLine(target.ref, result.imageDigest, trustStore);
  const stderr = renderCheckList(header, result, ctx);
  if (flags.json === true) {
    return {
      exitCode: cerroTorreExitCode(result),
      stdout: jsonLine({ ...toVerifyResultJson(result), checks: checksOf(result, ctx) }),
      stderr,
    };
  }
  return { exitCode: cerroTorreExitCode(result), stderr };
}

/** No package or layout problem, and manifest.toml (if any) names the layout's image. */
function evidenceIntact(target: VerifyTarget): boolean {
  const e = target.evidence;
  return (
    e.layoutDigest !== undefined &&
    (e.packageProblems ?? []).length === 0 &&
    (e.layoutProblems ?? []).length === 0 &&
    (e.packageImageDigest === undefined || e.packageImageDigest === e.layoutDigest)
  );
}

/** 04 §7 with the target's source files, or why it cannot be rebuilt (NOT_REPRODUCIBLE). */
async function rebuildTarget(
  target: VerifyTarget,
  flags: VerifyFlags,
  root: string,
  deps: CliDeps,
): Promise<RebuildReport> {
  const cannot = (why: string): RebuildReport => ({
    outcome: { kind: 'differs', message: `cannot rebuild: ${why}` },
  });
  const { files, manifest, layout } = target;
  if (files === undefined || manifest === undefined) {
    return cannot('the image has no source/<n>.ctp (verify a .ctp package or a store image)');
  }
  if (layout?.digest === undefined || layout.configDigest === undefined) {
    return cannot('the image layout could not be read');
  }
  const epoch =
    target.bundleBytes !== undefined ? provenanceSourceDateEpoch(target.bundleBytes) : undefined;
  if (epoch === undefined) return cannot('the provenance records no sourceDateEpoch');
  return rebuildAndCompare(
    {
      files,
      manifestPath: manifest.path,
      ...(flags.context !== undefined ? { contextDir: resolve(deps.cwd, flags.context) } : {}),
      sourceDateEpoch: epoch,
      expected: {
        imageDigest: layout.digest,
        configDigest: layout.configDigest,
        diffIds: layout.diffIds ?? [],
      },
      root,
    },
    { env: deps.env, clock: deps.clock, logger: deps.logger, uid: deps.uid, homeDir: deps.homeDir },
  );
}

function checkListContext(
  result: VerifyResult,
  facts: {
    trustStore: ReturnType<typeof readTrustStoreForVerify>['store'];
    manifest: ManifestInput | undefined;
    vulnDb: { db: VulnDbInput | undefined } | undefined;
    rebuild: boolean;
    report: RebuildReport | undefined;
    maxSeverity: NonNullable<CheckListContext['vulnerability']>['maxSeverity'];
  },
): CheckListContext {
  const m = facts.manifest?.manifest;
  const signing = m?.attestations.signing.threshold;
  const manifestLogs = m?.attestations.transparency.logs.length ?? 0;
  const licenses = facts.manifest?.requirements?.licenses;
  return {
    ...(signing !== undefined ? { signing: { k: signing.k, n: signing.n } } : {}),
    groups: result.details.groups.flatMap((name) => {
      const g = facts.trustStore.thresholds[name];
      return g !== undefined ? [{ name, k: g.k, n: g.n }] : [];
    }),
    logCount: manifestLogs > 0 ? manifestLogs : Object.keys(facts.trustStore.logs).length,
    manifestGiven: facts.manifest !== undefined,
    licenseLists: (licenses?.allowed?.length ?? 0) + (licenses?.denied?.length ?? 0) > 0,
    ...(facts.vulnDb !== undefined
      ? {
          vulnerability: {
            maxSeverity: facts.maxSeverity,
            ...(facts.vulnDb.db !== undefined
              ? { db: { name: basename(facts.vulnDb.db.path), digest: facts.vulnDb.db.digest } }
              : {}),
          },
        }
      : {}),
    rebuild: {
      requested: facts.rebuild,
      ...(facts.report?.rebuiltDigest !== undefined
        ? { rebuiltDigest: facts.report.rebuiltDigest }
        : {}),
    },
  };
}
