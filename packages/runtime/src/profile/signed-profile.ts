// SPDX-License-Identifier: Apache-2.0
// The signed profile of 05 §4.3: the image config labels `org.verified-container.security` and
// `.runtime` (02 §2), covered by the image digest; defaults for an image without them.
import { VcError } from '@verified-container/shared';
import {
  RUNTIME_LABEL,
  SECURITY_LABEL,
  type RuntimeProfile,
  type SecurityProfile,
} from '@verified-container/shared/generate';
import { DEFAULT_CAPABILITIES } from '@verified-container/shared/manifest';

export interface SignedProfile {
  readonly security: SecurityProfile;
  readonly runtime: RuntimeProfile;
  /** False when the image carries no security label and the defaults apply. */
  readonly fromLabels: boolean;
}

/** The profile of an image without the labels (a foreign image run in permissive mode). */
export function defaultSignedProfile(): SignedProfile {
  return {
    security: {
      selinux: {},
      capabilities: { drop: [], add: [], effective: [...DEFAULT_CAPABILITIES] },
      readonlyRoot: { enabled: false, exceptions: [] },
      network: { egressAllow: [], ingressAllow: [] },
    },
    runtime: { volumes: {}, ports: {} },
    fromLabels: false,
  };
}

function malformed(label: string, why: string): VcError {
  return new VcError('MALFORMED_BUNDLE', `image label ${label} is invalid: ${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseJsonLabel(label: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new VcError('MALFORMED_BUNDLE', `image label ${label} is not JSON`, { cause: err });
  }
  if (!isObject(value)) throw malformed(label, 'not a JSON object');
  return value;
}

/** Checks the shape vordr relies on; the builder wrote the rest, and the digest covers it. */
function checkSecurity(value: Record<string, unknown>): SecurityProfile {
  const { selinux, capabilities, readonlyRoot, network } = value;
  if (!isObject(selinux)) throw malformed(SECURITY_LABEL, 'selinux is missing');
  if (!isObject(capabilities) || !isStringArray(capabilities['effective'])) {
    throw malformed(SECURITY_LABEL, 'capabilities.effective is missing');
  }
  if (
    !isObject(readonlyRoot) ||
    typeof readonlyRoot['enabled'] !== 'boolean' ||
    !isStringArray(readonlyRoot['exceptions'])
  ) {
    throw malformed(SECURITY_LABEL, 'readonlyRoot is missing');
  }
  if (
    !isObject(network) ||
    !Array.isArray(network['egressAllow']) ||
    !Array.isArray(network['ingressAllow'])
  ) {
    throw malformed(SECURITY_LABEL, 'network is missing');
  }
  return value as unknown as SecurityProfile;
}

function checkRuntime(value: Record<string, unknown>): RuntimeProfile {
  if (!isObject(value['volumes']) || !isObject(value['ports'])) {
    throw malformed(RUNTIME_LABEL, 'volumes or ports are missing');
  }
  return value as unknown as RuntimeProfile;
}

/** The signed profile from the image config `Labels`; defaults when the security label is absent. */
export function signedProfileFromLabels(
  labels: Readonly<Record<string, string>> | undefined,
): SignedProfile {
  const securityText = labels?.[SECURITY_LABEL];
  const runtimeText = labels?.[RUNTIME_LABEL];
  const defaults = defaultSignedProfile();
  if (securityText === undefined) {
    return runtimeText === undefined
      ? defaults
      : { ...defaults, runtime: checkRuntime(parseJsonLabel(RUNTIME_LABEL, runtimeText)) };
  }
  return {
    security: checkSecurity(parseJsonLabel(SECURITY_LABEL, securityText)),
    runtime:
      runtimeText === undefined
        ? defaults.runtime
        : checkRuntime(parseJsonLabel(RUNTIME_LABEL, runtimeText)),
    fromLabels: true,
  };
}
