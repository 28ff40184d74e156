// SPDX-License-Identifier: Apache-2.0
// FROM and COPY --from images → a Cerro Torre base and Debian packages (01 §7). Official images of
// a service become Debian bookworm plus the service's package; the versions are Debian bookworm's.

/** The base every mapped image (and every unmapped one, as the closest start) converts to. */
export const DEFAULT_CONVERTED_BASE = 'cerro-torre/debian:bookworm-slim';

export interface BaseMapping {
  /** `[base] image`. */
  readonly base: string;
  /** Debian packages the image stands for. */
  readonly packages: readonly string[];
  /** What could not be carried over; each becomes a "not converted" line. */
  readonly notes: readonly string[];
}

interface Service {
  /** Human name in messages. */
  readonly title: string;
  /** The version Debian bookworm has, as "major.minor" (compared at the precision requested). */
  readonly bookworm: string;
  /** The Debian package, given the variant words of the tag. */
  readonly packageFor: (variants: readonly string[]) => string;
  /** Variant words this image knows besides the operating-system ones. */
  readonly variants?: readonly string[];
  /** Versions the table row admits (`python:3*`). */
  readonly accepts?: (version: readonly number[]) => boolean;
}

const PHP_BOOKWORM = '8.2';

const SERVICES: Readonly<Record<string, Service>> = {
  php: {
    title: 'PHP',
    bookworm: PHP_BOOKWORM,
    variants: ['fpm', 'cli'],
    packageFor: (v) => `php${PHP_BOOKWORM}-${v.includes('fpm') ? 'fpm' : 'cli'}`,
  },
  nginx: { title: 'nginx', bookworm: '1.22', packageFor: () => 'nginx' },
  httpd: { title: 'Apache httpd', bookworm: '2.4', packageFor: () => 'apache2' },
  mariadb: { title: 'MariaDB', bookworm: '10.11', packageFor: () => 'mariadb-server' },
  redis: { title: 'Redis', bookworm: '7.0', packageFor: () => 'redis-server' },
  postgres: { title: 'PostgreSQL', bookworm: '15', packageFor: () => 'postgresql' },
  python: {
    title: 'Python',
    bookworm: '3.11',
    packageFor: () => 'python3',
    accepts: (v) => v.length === 0 || v[0] === 3,
  },
  node: { title: 'Node.js', bookworm: '18', packageFor: () => 'nodejs' },
};

/** Images `COPY --from=<image>` may name, with the package that provides the same files. */
const COPY_FROM_PACKAGES: Readonly<Record<string, Service>> = {
  composer: { title: 'Composer', bookworm: '2.5', packageFor: () => 'composer' },
};

const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
};
/** Suite names that move from one release to the next: the image would change under the manifest. */
const MOVING_SUITES = new Set([
  'stable',
  'oldstable',
  'oldoldstable',
  'testing',
  'unstable',
  'experimental',
]);
/** Tag words that only say which operating system or size the official image is built on. */
const OS_VARIANT =
  /^(?:alpine[0-9.]*|slim|bookworm|bullseye|buster|trixie|stretch|jammy|noble|focal)$/;
/** Tag words that name a release channel rather than a version. */
const CHANNELS = new Set(['latest', 'stable', 'mainline', 'lts', 'current']);

export interface ImageReference {
  /** Repository without registry or `library/` (`php`, `myorg/app`, `ghcr.io/x/y`). */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** Splits `[docker.io/][library/]name[:tag][@digest]`. */
export function parseImageReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const repository = rest
    .replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '')
    .replace(/^library\//, '');
  return { repository, tag, digest };
}

/** The base and packages for `FROM <ref>`; undefined when the image has no mapping. */
export function mapBaseImage(ref: string): BaseMapping | undefined {
  const image = parseImageReference(ref);
  const notes: string[] = [];
  if (image.digest !== undefined) {
    notes.push(`the digest pin @${image.digest} is not kept (the lock file pins the packages)`);
  }
  if (image.repository === 'scratch' && image.tag === undefined) {
    return { base: 'scratch', packages: [], notes };
  }
  if (image.repository === 'debian') {
    const debian = mapDebianTag(image.tag ?? 'latest');
    return debian === undefined ? undefined : { ...debian, notes: [...notes, ...debian.notes] };
  }
  const service = SERVICES[image.repository];
  if (service === undefined) return undefined;
  const mapped = mapService(service, image.repository, image.tag);
  if (mapped === undefined) return undefined;
  return {
    base: DEFAULT_CONVERTED_BASE,
    packages: [mapped.package],
    notes: [...notes, ...mapped.notes],
  };
}

/** The package standing for `COPY --from=<ref>`; undefined when there is none. */
export function packageForCopyFrom(
  ref: string,
): { package: string; notes: readonly string[] } | undefined {
  const image = parseImageReference(ref);
  const service = COPY_FROM_PACKAGES[image.repository];
  if (service === undefined) return undefined;
  return mapService(service, image.repository, image.tag);
}

function mapDebianTag(tag: string): BaseMapping | undefined {
  const m = /^([a-z]+|[0-9]+(?:\.[0-9]+)*)(-slim)?$/.exec(tag);
  if (m === null) return undefined;
  const word = m[1] ?? '';
  const slim = m[2] ?? '';
  if (MOVING_SUITES.has(word)) return undefined;
  const suite =
    word === 'latest'
      ? 'bookworm'
      : /^[0-9]/.test(word)
        ? DEBIAN_RELEASES[word.split('.')[0] ?? '']
        : word;
  if (suite === undefined) return undefined;
  const notes = word.includes('.')
    ? [`the point release ${word} is not kept (the lock file pins the packages)`]
    : [];
  return { base: `cerro-torre/debian:${suite}${slim}`, packages: [], notes };
}

function mapService(
  service: Service,
  repository: string,
  tag: string | undefined,
): { package: string; notes: string[] } | undefined {
  const words = (tag ?? 'latest').split('-');
  const first = words[0] ?? '';
  const numeric = /^[0-9]+(?:\.[0-9]+)*$/.test(first);
  const version = numeric ? first.split('.').map(Number) : [];
  if (service.accepts !== undefined && !service.accepts(version)) return undefined;
  const notes: string[] = [];
  const variants: string[] = [];
  for (const w of numeric ? words.slice(1) : words) {
    if (OS_VARIANT.test(w) || CHANNELS.has(w)) continue;
    if (service.variants?.includes(w) === true) {
      variants.push(w);
      continue;
    }
    notes.push(`the ${JSON.stringify(w)} variant of ${repository} is not converted`);
  }
  const pkg = service.packageFor(variants);
  if (numeric && !sameVersion(version, service.bookworm)) {
    notes.push(`Debian bookworm has ${service.title} ${service.bookworm} (${first} requested)`);
  }
  return { package: pkg, notes };
}

/** Equal on the components both name: `7` and `7.0.15` are 7.0; `8.3` is not 8.2. */
function sameVersion(requested: readonly number[], debian: string): boolean {
  const ours = debian.split('.').map(Number);
  const n = Math.min(requested.length, ours.length);
  for (let i = 0; i < n; i++) if (requested[i] !== ours[i]) return false;
  return true;
}
