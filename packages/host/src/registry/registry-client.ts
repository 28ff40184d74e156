// SPDX-License-Identifier: Apache-2.0
import { noopLogger, VcError, type Logger } from '@verified-container/shared';
import { sha256Digest } from '@verified-container/shared/crypto';
import { parseJson } from '@verified-container/shared/json';
import {
  INDEX_MEDIA_TYPE,
  MAX_MANIFEST_BYTES,
  parseImageDocument,
  type Descriptor,
  type ImageDocument,
  type IndexEntry,
} from '@verified-container/shared/oci';
import { writeContentAddressed, type ContentAddressedTarget } from '../content-addressed.js';
import { basicAuthorization, type Credentials } from './auth-file.js';
import { FetchHttpTransport } from './fetch-http-transport.js';
import {
  readBody,
  type HttpMethod,
  type HttpResponse,
  type HttpTransport,
  type RequestBody,
} from './http-transport.js';
import { MANIFEST_ACCEPT, bareMediaType } from './media-types.js';
import { apiRepository, registryBaseUrl } from './reference.js';
import {
  denied,
  errorFor,
  unauthorized,
  unexpectedStatus,
  type RequestContext,
} from './registry-errors.js';
import { assertDigest, sizeMismatch, verifyingStream } from './verify-digest.js';
import { findChallenge, parseChallenges, type AuthChallenge } from './www-authenticate.js';

export interface RegistryClientOptions {
  /** `host[:port]` of the registry, as references write it. */
  readonly host: string;
  /**
   * The error code of content whose digest or size is not what was asked for (the caller knows
   * what that means: a failed build input, a malformed image).
   */
  readonly mismatchCode: string;
  /** Plain http even for a non-loopback host (`--insecure`, `--tls-verify=false`). */
  readonly insecure?: boolean;
  /** Default: {@link FetchHttpTransport}. */
  readonly transport?: HttpTransport;
  /** Sent only when the registry asks (a 401 challenge). */
  readonly credentials?: Credentials;
  readonly logger?: Logger;
  readonly userAgent?: string;
  /** Retries of GET and HEAD after a network error, 429 or 5xx. */
  readonly retries?: number;
  /** Delay before the first retry, ms; doubled before each further one. */
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_REGISTRY_CLIENT_OPTIONS = {
  retries: 2,
  backoffMs: 250,
  userAgent: 'verified-container',
  maxRedirects: 5,
} as const;

/** A manifest or index as received. */
export interface FetchedManifest {
  /** The exact bytes (what the digest covers). */
  readonly bytes: Uint8Array;
  /** sha256 of `bytes`: the digest of what was received, whatever the registry claims. */
  readonly digest: string;
  readonly descriptor: Descriptor;
  readonly document: ImageDocument;
}

export interface PutManifestResult {
  readonly digest: string;
  /** The `OCI-Subject` response header: the registry indexed the manifest's subject. */
  readonly subject?: string;
}

export interface ReferrersResult {
  /** `GET /v2/<repo>/referrers/<digest>` answered 200. */
  readonly supported: boolean;
  readonly manifests: readonly IndexEntry[];
}

/** `pull` or `pull,push` on one repository. */
type Access = 'pull' | 'pull,push';

interface Call {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** Repository the request acts on (the token scope); undefined for `/v2/`. */
  readonly repository?: string;
  readonly access: Access;
  /** For messages: `pull manifest 1.0 of example/hello`. */
  readonly what: string;
  /** Follow 3xx answers (blob downloads are redirected to storage). */
  readonly follow?: boolean;
}

const RETRIED_STATUS = new Set([429, 500, 502, 503, 504]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Token responses are small JSON documents. */
const MAX_TOKEN_BYTES = 1024 * 1024;

/**
 * An OCI distribution API client for one registry: manifests (HEAD/GET/PUT), blobs (HEAD/GET
 * streamed and verified, monolithic upload), referrers and tags. Authentication happens when a
 * request is answered 401: a Bearer challenge is answered by fetching a token from its realm
 * (with basic credentials when there are some), a Basic challenge by sending the credentials;
 * then the request is repeated once. Credentials never go to another origin than the registry's
 * or the token realm's.
 */
export class RegistryClient {
  readonly host: string;
  readonly baseUrl: string;
  readonly #transport: HttpTransport;
  readonly #credentials: Credentials | undefined;
  readonly #logger: Logger;
  readonly #opts: Required<
    Pick<RegistryClientOptions, 'retries' | 'backoffMs' | 'userAgent' | 'sleep' | 'mismatchCode'>
  >;
  /** Authorization header per repository ('' for registry-wide calls). */
  readonly #auth = new Map<string, string>();
  /** Set once a Basic challenge was answered: basic auth is then sent on every request. */
  #basic: string | undefined;
  /** Whether credentials went out with some request (for the wording of a 401). */
  #sentCredentials = false;

  constructor(opts: RegistryClientOptions) {
    this.host = opts.host;
    this.baseUrl = registryBaseUrl(opts.host, opts.insecure === true);
    this.#transport = opts.transport ?? new FetchHttpTransport();
    this.#credentials = opts.credentials;
    this.#logger = opts.logger ?? noopLogger;
    this.#opts = {
      retries: opts.retries ?? DEFAULT_REGISTRY_CLIENT_OPTIONS.retries,
      backoffMs: opts.backoffMs ?? DEFAULT_REGISTRY_CLIENT_OPTIONS.backoffMs,
      userAgent: opts.userAgent ?? DEFAULT_REGISTRY_CLIENT_OPTIONS.userAgent,
      sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      mismatchCode: opts.mismatchCode,
    };
  }

  /** `GET /v2/`: the registry answers (authenticating if it asks). */
  async ping(): Promise<void> {
    const res = await this.#call({
      method: 'GET',
      url: this.#url('/v2/'),
      access: 'pull',
      what: 'ping',
    });
    if (res.status !== 200) throw await errorFor(this.#ctx('ping'), res);
    await res.discard();
  }

  /**
   * `GET` a manifest or index by tag or digest. The digest of the received bytes is always
   * computed; pulling by digest, or a `Docker-Content-Digest` header, that differs is the
   * mismatch code, and so is a size other than `expected.size`.
   */
  async getManifest(
    repository: string,
    reference: string,
    expected?: Pick<Descriptor, 'digest' | 'size'>,
  ): Promise<FetchedManifest> {
    const what = `manifest ${reference} of ${repository}`;
    const res = await this.#call({
      method: 'GET',
      url: this.#repoUrl(repository, `manifests/${reference}`),
      headers: { accept: MANIFEST_ACCEPT },
      repository,
      access: 'pull',
      what: `pull ${what}`,
    });
    if (res.status !== 200) throw await errorFor(this.#ctx(`pull ${what}`), res);
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, `${this.host}: ${what}`);
    const digest = sha256Digest(bytes);
    const source = `${what} from ${this.host}`;
    const code = this.#opts.mismatchCode;
    if (reference.startsWith('sha256:')) assertDigest(bytes, reference, source, code);
    if (expected !== undefined) {
      assertDigest(bytes, expected.digest, source, code);
      if (bytes.byteLength !== expected.size) {
        throw sizeMismatch(source, expected.size, bytes.byteLength, code);
      }
    }
    const claimed = res.header('docker-content-digest');
    if (claimed !== undefined && claimed.startsWith('sha256:'))
      assertDigest(bytes, claimed, source, code);
    const contentType = res.header('content-type');
    const document = parseImageDocument(bytes, contentType, `${this.host}/${repository}: ${what}`);
    const mediaType =
      document.kind === 'manifest' ? document.manifest.mediaType : document.index.mediaType;
    return { bytes, digest, descriptor: { mediaType, digest, size: bytes.byteLength }, document };
  }

  /** `HEAD` a manifest: its descriptor from the response headers, undefined when absent. */
  async headManifest(repository: string, reference: string): Promise<Descriptor | undefined> {
    const what = `check manifest ${reference} of ${repository}`;
    const res = await this.#call({
      method: 'HEAD',
      url: this.#repoUrl(repository, `manifests/${reference}`),
      headers: { accept: MANIFEST_ACCEPT },
      repository,
      access: 'pull',
      what,
    });
    await res.discard();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await errorFor(this.#ctx(what), res);
    const digest = res.header('docker-content-digest');
    const size = Number(res.header('content-length'));
    const mediaType = res.header('content-type');
    if (digest === undefined || !Number.isSafeInteger(size) || mediaType === undefined) {
      throw unexpectedStatus(this.#ctx(what), 200, 'no digest, size or type in the answer');
    }
    return { mediaType: bareMediaType(mediaType), digest, size };
  }

  /** `HEAD` a blob. */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const what = `check blob ${digest} in ${repository}`;
    const res = await this.#call({
      method: 'HEAD',
      url: this.#repoUrl(repository, `blobs/${digest}`),
      repository,
      access: 'pull',
      what,
      follow: true,
    });
    await res.discard();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await errorFor(this.#ctx(what), res);
  }

  /**
   * `GET` a blob as a stream that is verified as it is read: more bytes than the descriptor's
   * size, or a different digest at the end, is the mismatch code.
   */
  async openBlob(
    repository: string,
    descriptor: Descriptor,
    onBytes?: (done: number) => void,
  ): Promise<AsyncIterable<Uint8Array>> {
    const what = `blob ${descriptor.digest} of ${repository}`;
    const res = await this.#call({
      method: 'GET',
      url: this.#repoUrl(repository, `blobs/${descriptor.digest}`),
      repository,
      access: 'pull',
      what: `pull ${what}`,
      follow: true,
    });
    if (res.status !== 200) throw await errorFor(this.#ctx(`pull ${what}`), res);
    return verifyingStream(
      res.body(),
      descriptor,
      `${what} from ${this.host}`,
      this.#opts.mismatchCode,
      onBytes,
    );
  }

  /** A small blob (a config) in memory, verified. */
  async readBlob(
    repository: string,
    descriptor: Descriptor,
    maxBytes: number,
  ): Promise<Uint8Array> {
    if (descriptor.size > maxBytes) {
      throw new VcError(
        'REGISTRY_ERROR',
        `blob ${descriptor.digest} of ${repository} is ${descriptor.size} bytes, more than ${maxBytes}`,
      );
    }
    const chunks: Uint8Array[] = [];
    for await (const chunk of await this.openBlob(repository, descriptor)) chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  }

  /**
   * Streams a blob into a content-addressed directory (00 §4.1): nothing is stored unless size
   * and digest match. A blob already there is not downloaded.
   */
  async downloadBlob(
    repository: string,
    descriptor: Descriptor,
    target: ContentAddressedTarget,
    onBytes?: (done: number) => void,
  ): Promise<void> {
    const hex = descriptor.digest.replace(/^sha256:/, '');
    const what = `blob ${descriptor.digest} of ${this.host}/${repository}`;
    // The source is opened lazily, so a blob already stored costs no request.
    const source = async function* (client: RegistryClient): AsyncGenerator<Uint8Array> {
      yield* await client.openBlob(repository, descriptor, onBytes);
    };
    await writeContentAddressed(target, source(this), {
      hex,
      size: descriptor.size,
      mismatchCode: this.#opts.mismatchCode,
      what,
    });
  }

  /**
   * Uploads a blob unless `HEAD` finds it: `POST /blobs/uploads/`, then one monolithic
   * `PUT <location>?digest=`. `open` is called for each attempt. Returns whether bytes were sent.
   */
  async uploadBlob(
    repository: string,
    descriptor: Descriptor,
    open: () => AsyncIterable<Uint8Array>,
  ): Promise<{ uploaded: boolean }> {
    if (await this.hasBlob(repository, descriptor.digest)) return { uploaded: false };
    const what = `push blob ${descriptor.digest} to ${repository}`;
    const started = await this.#call({
      method: 'POST',
      url: this.#repoUrl(repository, 'blobs/uploads/'),
      headers: { 'content-length': '0' },
      repository,
      access: 'pull,push',
      what,
    });
    if (started.status !== 202) throw await errorFor(this.#ctx(what), started);
    await started.discard();
    const location = started.header('location');
    if (location === undefined) throw unexpectedStatus(this.#ctx(what), 202, 'no Location header');
    const url = new URL(location, this.baseUrl);
    url.searchParams.append('digest', descriptor.digest);
    const done = await this.#call({
      method: 'PUT',
      url: url.href,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(descriptor.size),
      },
      body: open,
      repository,
      access: 'pull,push',
      what,
    });
    if (done.status !== 201) throw await errorFor(this.#ctx(what), done);
    await done.discard();
    this.#checkDigestHeader(done, descriptor.digest, what);
    return { uploaded: true };
  }

  /** `PUT` a manifest under a tag or its digest. The registry's digest must be ours. */
  async putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<PutManifestResult> {
    const digest = sha256Digest(bytes);
    const what = `push manifest ${reference} to ${repository}`;
    const res = await this.#call({
      method: 'PUT',
      url: this.#repoUrl(repository, `manifests/${reference}`),
      headers: { 'content-type': mediaType, 'content-length': String(bytes.byteLength) },
      body: bytes,
      repository,
      access: 'pull,push',
      what,
    });
    if (res.status !== 201) throw await errorFor(this.#ctx(what), res);
    await res.discard();
    this.#checkDigestHeader(res, digest, what);
    const subject = res.header('oci-subject');
    return subject === undefined ? { digest } : { digest, subject };
  }

  /**
   * `GET /v2/<repo>/referrers/<digest>`. Any answer but 200 means the registry has no referrers
   * API (distribution 2.8 answers 404).
   */
  async referrers(repository: string, digest: string): Promise<ReferrersResult> {
    const what = `list referrers of ${digest} in ${repository}`;
    const res = await this.#call({
      method: 'GET',
      url: this.#repoUrl(repository, `referrers/${digest}`),
      headers: { accept: INDEX_MEDIA_TYPE },
      repository,
      access: 'pull',
      what,
    });
    if (res.status !== 200) {
      await res.discard();
      this.#logger.debug({ host: this.host, status: res.status }, 'no referrers API');
      return { supported: false, manifests: [] };
    }
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, `${this.host}: referrers of ${digest}`);
    const doc = parseImageDocument(bytes, INDEX_MEDIA_TYPE, `${this.host}: referrers of ${digest}`);
    return { supported: true, manifests: doc.kind === 'index' ? doc.index.manifests : [] };
  }

  /** Every tag of a repository (`GET /v2/<repo>/tags/list`, following `Link` pages). */
  async listTags(repository: string): Promise<string[]> {
    const what = `list tags of ${repository}`;
    const tags: string[] = [];
    let url: string | undefined = this.#repoUrl(repository, 'tags/list');
    for (let page = 0; url !== undefined && page < 1000; page++) {
      const res = await this.#call({ method: 'GET', url, repository, access: 'pull', what });
      if (res.status !== 200) throw await errorFor(this.#ctx(what), res);
      const bytes = await readBody(res, MAX_MANIFEST_BYTES, `${this.host}: ${what}`);
      let doc: unknown;
      try {
        doc = parseJson(bytes, { mode: 'ecma' });
      } catch (cause) {
        throw new VcError('REGISTRY_ERROR', `${this.host}: ${what}: not JSON`, { cause });
      }
      const list = (doc as { tags?: unknown } | null)?.tags;
      if (Array.isArray(list)) tags.push(...list.filter((t): t is string => typeof t === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.header('link') ?? '')?.[1];
      url = next === undefined ? undefined : new URL(next, this.baseUrl).href;
    }
    return tags;
  }

  #url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  #repoUrl(repository: string, rest: string): string {
    return this.#url(`/v2/${apiRepository({ host: this.host, repository })}/${rest}`);
  }

  #ctx(what: string): RequestContext {
    return {
      host: this.host,
      what,
      ...(this.#credentials?.source !== undefined && this.#sentCredentials
        ? { credentialSource: this.#credentials.source }
        : {}),
    };
  }

  #checkDigestHeader(res: HttpResponse, digest: string, what: string): void {
    const claimed = res.header('docker-content-digest');
    if (claimed !== undefined && claimed !== digest) {
      throw new VcError(
        this.#opts.mismatchCode,
        `${this.host}: ${what}: the registry stored ${claimed}, expected ${digest}`,
      );
    }
  }

  /**
   * One logical request: authentication on 401 (once), retries of GET/HEAD, redirects when
   * `follow`. The response is returned whatever its status.
   */
  async #call(call: Call): Promise<HttpResponse> {
    const key = call.repository ?? '';
    const idempotent = call.method === 'GET' || call.method === 'HEAD';
    let authenticated = false;
    let url = call.url;
    let redirects = 0;
    for (let attempt = 0; ;) {
      const headers: Record<string, string> = {
        'user-agent': this.#opts.userAgent,
        ...call.headers,
      };
      const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin;
      const authorization = sameOrigin ? (this.#auth.get(key) ?? this.#basic) : undefined;
      if (authorization !== undefined) headers['authorization'] = authorization;
      this.#logger.debug(
        { method: call.method, url: redactQuery(url), attempt },
        'registry request',
      );
      let res: HttpResponse;
      try {
        res = await this.#transport.send({
          method: call.method,
          url,
          headers,
          ...(call.body !== undefined ? { body: call.body } : {}),
        });
      } catch (err) {
        if (!idempotent || attempt >= this.#opts.retries || !isUnavailable(err)) throw err;
        await this.#opts.sleep(this.#opts.backoffMs * 2 ** attempt++);
        continue;
      }
      if (res.status === 401 && sameOrigin && !authenticated) {
        const challenges = parseChallenges(res.header('www-authenticate') ?? '');
        await res.discard();
        await this.#authenticate(challenges, call);
        authenticated = true;
        continue;
      }
      if (idempotent && RETRIED_STATUS.has(res.status) && attempt < this.#opts.retries) {
        await res.discard();
        await this.#opts.sleep(this.#opts.backoffMs * 2 ** attempt++);
        continue;
      }
      const location = res.header('location');
      if (call.follow === true && REDIRECTS.has(res.status) && location !== undefined) {
        await res.discard();
        if (++redirects > DEFAULT_REGISTRY_CLIENT_OPTIONS.maxRedirects) {
          throw unexpectedStatus(this.#ctx(call.what), res.status, 'too many redirects');
        }
        const next = new URL(location, url);
        if (new URL(url).protocol === 'https:' && next.protocol !== 'https:') {
          throw unexpectedStatus(this.#ctx(call.what), res.status, 'redirect from https to http');
        }
        url = next.href;
        continue;
      }
      return res;
    }
  }

  /** Answers a 401's challenge: a token for Bearer, the credentials for Basic. */
  async #authenticate(challenges: readonly AuthChallenge[], call: Call): Promise<void> {
    const ctx = this.#ctx(call.what);
    const bearer = findChallenge(challenges, 'bearer');
    if (bearer !== undefined) {
      this.#auth.set(call.repository ?? '', await this.#fetchToken(bearer, call));
      return;
    }
    if (findChallenge(challenges, 'basic') !== undefined) {
      if (this.#credentials === undefined) throw unauthorized(ctx);
      this.#basic = basicAuthorization(this.#credentials);
      this.#sentCredentials = true;
      return;
    }
    throw unauthorized(ctx, 'no Bearer or Basic challenge in WWW-Authenticate');
  }

  async #fetchToken(challenge: AuthChallenge, call: Call): Promise<string> {
    const what = `token for ${call.what}`;
    const realm = challenge.params['realm'];
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw unexpectedStatus(this.#ctx(call.what), 401, `bad token realm ${JSON.stringify(realm)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw unexpectedStatus(this.#ctx(call.what), 401, `bad token realm ${JSON.stringify(realm)}`);
    }
    const service = challenge.params['service'];
    if (service !== undefined) url.searchParams.set('service', service);
    const scope =
      challenge.params['scope'] ??
      (call.repository !== undefined
        ? `repository:${apiRepository({ host: this.host, repository: call.repository })}:${call.access}`
        : undefined);
    for (const s of scope?.split(' ') ?? []) if (s !== '') url.searchParams.append('scope', s);
    const headers: Record<string, string> = {
      'user-agent': this.#opts.userAgent,
      accept: 'application/json',
    };
    if (this.#credentials !== undefined) {
      // Credentials never travel in clear text to a realm unless the registry itself is plain http.
      if (url.protocol === 'http:' && !this.baseUrl.startsWith('http:')) {
        throw unexpectedStatus(
          this.#ctx(call.what),
          401,
          `refusing to send credentials to ${url.origin}`,
        );
      }
      headers['authorization'] = basicAuthorization(this.#credentials);
      this.#sentCredentials = true;
    }
    this.#logger.debug({ url: `${url.origin}${url.pathname}` }, 'registry token request');
    const res = await this.#transport.send({ method: 'GET', url: url.href, headers });
    const ctx = this.#ctx(call.what);
    if (res.status === 401) {
      await res.discard();
      throw unauthorized(ctx);
    }
    if (res.status === 403) {
      await res.discard();
      throw denied(ctx);
    }
    if (res.status !== 200) throw await errorFor({ host: url.host, what }, res);
    const bytes = await readBody(res, MAX_TOKEN_BYTES, `${url.host}: ${what}`);
    let token: unknown;
    try {
      const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
      token = doc['token'] ?? doc['access_token'];
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw unexpectedStatus({ host: url.host, what }, 200, 'the answer holds no token');
    }
    return `Bearer ${token}`;
  }
}

function isUnavailable(err: unknown): boolean {
  return err instanceof VcError && err.code === 'REGISTRY_UNAVAILABLE';
}

/** Upload locations carry state tokens in their query; logs get the path only. */
function redactQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
