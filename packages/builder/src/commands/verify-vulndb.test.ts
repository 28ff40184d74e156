// SPDX-License-Identifier: Apache-2.0
// Which vulnerability database `cerro-torre verify` uses (04 §6.5): `--vuln-db`, else
// `$VC_VULN_DB`, else `$VC_ROOT/vulndb/<suite>` with the suite of the bundle's SBOM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { signEnvelope } from '@verified-container/shared/attestation';
import {
  SPEC_KEYS,
  WORKED_EXAMPLE_IMAGE_DIGEST,
  workedExampleBundle,
} from '@verified-container/testkit';
import { makeDeps, tempDir } from '../../test/support.js';
import { vulnerabilityGate } from './verify-options.js';

const DB_TEXT =
  'VERSION 1\nCVE-2099-0001,,nothing here\n\nnot-in-image,0,BH F,1.0-1,\n\nnot-in-image,not-in-image\n';

/** The worked example's bundle with an SBOM whose operating system is Debian `versionInfo`. */
function bundleWithDebian(versionInfo: string | undefined): Uint8Array {
  const sbom = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'hello:1.0.0', digest: { sha256: WORKED_EXAMPLE_IMAGE_DIGEST.slice(7) } }],
    predicateType: 'https://spdx.dev/Document',
    predicate: {
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'hello-1.0.0',
      dataLicense: 'CC0-1.0',
      packages:
        versionInfo === undefined
          ? []
          : [
              {
                SPDXID: 'SPDXRef-OperatingSystem',
                name: 'debian',
                versionInfo,
                primaryPackagePurpose: 'OPERATING_SYSTEM',
              },
            ],
    },
  };
  const bundle = workedExampleBundle();
  bundle.attestations[1] = signEnvelope(sbom, SPEC_KEYS['maintainer-1']);
  return new TextEncoder().encode(JSON.stringify(bundle));
}

describe('the vulnerability database of cerro-torre verify (04 §6.5)', () => {
  const flags = { requireVulnDb: true };

  it('takes $VC_ROOT/vulndb/<suite> when neither --vuln-db nor VC_VULN_DB names one', async () => {
    using dir = tempDir('ct-vulndb-');
    const deps = makeDeps(dir.path);
    const path = join(dir.path, 'store/vulndb/bookworm');
    mkdirSync(join(dir.path, 'store/vulndb'), { recursive: true });
    writeFileSync(path, deflateSync(DB_TEXT));
    const gate = await vulnerabilityGate(flags, undefined, deps, bundleWithDebian('12'));
    expect(gate.runs).toBe(true);
    expect(gate.db?.path).toBe(path);
    expect(gate.db?.db.vulnerabilities.map((v) => v.id)).toEqual(['CVE-2099-0001']);
    // Another suite has no file here; an SBOM without Debian names none.
    expect((await vulnerabilityGate(flags, undefined, deps, bundleWithDebian('13'))).db).toBe(
      undefined,
    );
    expect((await vulnerabilityGate(flags, undefined, deps, bundleWithDebian(undefined))).db).toBe(
      undefined,
    );
    // The gate that does not run reads nothing.
    expect(await vulnerabilityGate({}, undefined, deps, bundleWithDebian('12'))).toEqual({
      runs: false,
      db: undefined,
    });
  });

  it('--vuln-db, then VC_VULN_DB, come before the store', async () => {
    using dir = tempDir('ct-vulndb-');
    mkdirSync(join(dir.path, 'store/vulndb'), { recursive: true });
    writeFileSync(join(dir.path, 'store/vulndb/bookworm'), deflateSync(DB_TEXT));
    writeFileSync(join(dir.path, 'env.db'), deflateSync(DB_TEXT));
    writeFileSync(join(dir.path, 'flag.db'), deflateSync(DB_TEXT));
    const bytes = bundleWithDebian('12');
    const deps = makeDeps(dir.path, { VC_VULN_DB: 'env.db' });
    expect((await vulnerabilityGate(flags, undefined, deps, bytes)).db?.path).toBe(
      join(dir.path, 'env.db'),
    );
    const flagged = await vulnerabilityGate({ vulnDb: 'flag.db' }, undefined, deps, bytes);
    expect(flagged.db?.path).toBe(join(dir.path, 'flag.db'));
  });

  it('a store database that is not a debsecan file is VULNERABILITY_DB_INVALID', async () => {
    using dir = tempDir('ct-vulndb-');
    mkdirSync(join(dir.path, 'store/vulndb'), { recursive: true });
    writeFileSync(join(dir.path, 'store/vulndb/bookworm'), 'not zlib');
    await expect(
      vulnerabilityGate(flags, undefined, makeDeps(dir.path), bundleWithDebian('12')),
    ).rejects.toMatchObject({ code: 'VULNERABILITY_DB_INVALID' });
  });
});
