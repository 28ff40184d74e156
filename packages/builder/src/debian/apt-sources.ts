// SPDX-License-Identifier: Apache-2.0
// Where Debian packages come from (01 §5.1): three pockets over two mirrors, always.
import { canonicalize } from '@verified-container/shared/json';
import { sha256Hex } from '@verified-container/shared/crypto';
import { VcError } from '@verified-container/shared';

export const DEFAULT_APT_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_APT_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';
export const DEFAULT_APT_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The two archives, named symbolically in the lock so a lock does not depend on a mirror URL. */
export type MirrorKind = 'debian' | 'debian-security';

/** One `deb` line: a pocket (dist) of an archive. */
export interface AptPocket {
  /** The dist name apt sees and the lock records: `bookworm`, `bookworm-updates`, `bookworm-security`. */
  readonly pocket: string;
  readonly mirror: MirrorKind;
}

/** Everything that decides which packages exist: the identity of a private apt root. */
export interface AptSources {
  readonly suite: string;
  /** Debian architecture name (`amd64`, `arm64`). */
  readonly architecture: string;
  readonly components: readonly string[];
  /** Base URLs without a trailing slash. */
  readonly mirrors: Readonly<Record<MirrorKind, string>>;
  /** OpenPGP keyring every InRelease must be signed with. */
  readonly keyring: string;
}

export interface AptSourcesInput {
  readonly suite: string;
  readonly architecture: string;
  readonly components?: readonly string[];
  /** `--mirror`; else `CT_APT_MIRROR`; else {@link DEFAULT_APT_MIRROR}. */
  readonly mirror?: string;
  /** `--security-mirror`; else `CT_APT_SECURITY_MIRROR`; else the default. */
  readonly securityMirror?: string;
  /** Else `CT_APT_KEYRING`; else {@link DEFAULT_APT_KEYRING}. */
  readonly keyring?: string;
}

/** Resolves mirrors and keyring once: explicit options, then the environment, then the defaults. */
export function resolveAptSources(
  input: AptSourcesInput,
  env: Readonly<Record<string, string | undefined>>,
): AptSources {
  const pick = (explicit: string | undefined, name: string, fallback: string): string => {
    if (explicit !== undefined && explicit !== '') return explicit;
    const fromEnv = env[name];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : fallback;
  };
  const sources: AptSources = {
    suite: input.suite,
    architecture: input.architecture,
    components: [...(input.components ?? ['main'])],
    mirrors: {
      debian: trimSlash(pick(input.mirror, 'CT_APT_MIRROR', DEFAULT_APT_MIRROR)),
      'debian-security': trimSlash(
        pick(input.securityMirror, 'CT_APT_SECURITY_MIRROR', DEFAULT_APT_SECURITY_MIRROR),
      ),
    },
    keyring: pick(input.keyring, 'CT_APT_KEYRING', DEFAULT_APT_KEYRING),
  };
  assertAptSources(sources);
  return sources;
}

const WORD = /^[a-z0-9][a-z0-9.+-]*$/;

/**
 * Refuses values that could change the meaning of a sources.list line (blanks, `]`) or are not
 * URLs apt can fetch: CONFIG_INVALID naming the value.
 */
export function assertAptSources(sources: AptSources): void {
  const bad = (what: string, value: string): never => {
    throw new VcError('CONFIG_INVALID', `invalid ${what}: ${JSON.stringify(value)}`, {
      hint: what.includes('mirror')
        ? 'a mirror is an http://, https:// or file:/ URL (CT_APT_MIRROR, CT_APT_SECURITY_MIRROR)'
        : undefined,
    });
  };
  if (!WORD.test(sources.suite)) bad('suite', sources.suite);
  if (!WORD.test(sources.architecture)) bad('architecture', sources.architecture);
  if (sources.components.length === 0) bad('components', '');
  for (const c of sources.components) if (!WORD.test(c)) bad('component', c);
  for (const [kind, url] of Object.entries(sources.mirrors)) {
    if (!/^(?:https?:\/\/|file:\/)[^\s[\]]+$/.test(url)) bad(`${kind} mirror`, url);
  }
  if (!/^\/[^\s[\]]*$/.test(sources.keyring)) bad('keyring path', sources.keyring);
}

/** `S`, `S-updates` from the Debian mirror and `S-security` from the security mirror, in that order. */
export function pocketsOf(suite: string): AptPocket[] {
  return [
    { pocket: suite, mirror: 'debian' },
    { pocket: `${suite}-updates`, mirror: 'debian' },
    { pocket: `${suite}-security`, mirror: 'debian-security' },
  ];
}

/** Which archive serves a pocket (`…-security` is the security archive). */
export function mirrorKindOfPocket(pocket: string): MirrorKind {
  return pocket.endsWith('-security') ? 'debian-security' : 'debian';
}

/** The lock's `sources` (01 §5.2): symbolic, in pocket order. */
export interface LockSource {
  readonly pocket: string;
  readonly suite: string;
  readonly components: readonly string[];
  readonly mirror: MirrorKind;
}

export function lockSourcesOf(sources: Pick<AptSources, 'suite' | 'components'>): LockSource[] {
  return pocketsOf(sources.suite).map((p) => ({
    pocket: p.pocket,
    suite: sources.suite,
    components: [...sources.components],
    mirror: p.mirror,
  }));
}

/**
 * The one-line-style sources.list of the private root. Every line names the keyring with
 * `signed-by`, so apt accepts an InRelease only when it verifies against exactly that keyring.
 */
export function renderSourcesList(sources: AptSources): string {
  return pocketsOf(sources.suite)
    .map(
      (p) =>
        `deb [arch=${sources.architecture} signed-by=${sources.keyring}] ${sources.mirrors[p.mirror]} ${p.pocket} ${sources.components.join(' ')}\n`,
    )
    .join('');
}

/**
 * Directory name of the private apt root for these sources: sha256 (first 32 hex digits) of the
 * JCS of mirrors, suite, architecture, components and keyring.
 */
export function aptRootKey(sources: AptSources): string {
  return sha256Hex(
    canonicalize({
      mirrors: sources.mirrors,
      suite: sources.suite,
      architecture: sources.architecture,
      components: sources.components,
      keyring: sources.keyring,
    }),
  ).slice(0, 32);
}

/** Download URL of a pool file: the pocket's mirror + `/` + `Filename`. */
export function poolUrl(
  mirrors: Readonly<Record<MirrorKind, string>>,
  pocket: string,
  filename: string,
): string {
  return `${mirrors[mirrorKindOfPocket(pocket)]}/${filename.replace(/^\/+/, '')}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
