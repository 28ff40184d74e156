// SPDX-License-Identifier: Apache-2.0
// Fakes of the registry client's HTTP transport: recorded responses, a transport that plays them,
// and an in-memory registry speaking enough of the distribution API for push and pull.
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, HttpTransport } from '@verified-container/host/registry';

/** A response as recorded: status, headers, body. */
export function recorded(
  status: number,
  headers: Record<string, string> = {},
  body: Uint8Array | string = '',
): HttpResponse {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    status,
    header: (name) => lower.get(name.toLowerCase()),
    body: async function* () {
      await Promise.resolve();
      if (bytes.byteLength > 0) yield bytes;
    },
    discard: () => Promise.resolve(),
  };
}

/** A request as the transport saw it, with its body read. */
export interface SeenRequest extends Omit<HttpRequest, 'body'> {
  readonly body?: Uint8Array;
}

async function readRequestBody(request: HttpRequest): Promise<Uint8Array | undefined> {
  const body = request.body;
  if (body === undefined) return undefined;
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body()) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Answers each request with `handler`, recording what was sent. */
export class ScriptedTransport implements HttpTransport {
  readonly requests: SeenRequest[] = [];
  readonly #handler: (request: SeenRequest) => HttpResponse | Promise<HttpResponse>;

  constructor(handler: (request: SeenRequest) => HttpResponse | Promise<HttpResponse>) {
    this.#handler = handler;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const body = await readRequestBody(request);
    const seen: SeenRequest = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(body !== undefined ? { body } : {}),
    };
    this.requests.push(seen);
    return this.#handler(seen);
  }
}

/** Plays a fixed list of responses in order (fails the request when it runs out). */
export function replay(...responses: HttpResponse[]): ScriptedTransport {
  let i = 0;
  return new ScriptedTransport(() => {
    const next = responses[i++];
    if (next === undefined) throw new Error('no more recorded responses');
    return next;
  });
}

const digestOf = (bytes: Uint8Array) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface MemoryRegistryOptions {
  /** Answer `GET /v2/<repo>/referrers/<digest>` (an OCI 1.1 registry). Default false. */
  readonly referrers?: boolean;
}

/**
 * An in-memory OCI registry (one host, every repository): blobs, monolithic uploads, manifests by
 * tag and digest, tags list and, optionally, the referrers API with the OCI-Subject header.
 * Tests can tamper with stored bytes.
 */
export class MemoryRegistry extends ScriptedTransport {
  readonly blobs = new Map<string, Uint8Array>();
  /** `<repo>@<digest>` → bytes and media type. */
  readonly manifests = new Map<string, { bytes: Uint8Array; mediaType: string }>();
  /** `<repo>:<tag>` → digest. */
  readonly tags = new Map<string, string>();

  constructor(opts: MemoryRegistryOptions = {}) {
    super((req) => this.#serve(req, opts));
  }

  #serve(req: SeenRequest, opts: MemoryRegistryOptions): HttpResponse {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === '/v2/') return recorded(200, {}, '{}');
    const m = /^\/v2\/(.+)\/(blobs|manifests|referrers|tags)\/(.*)$/.exec(path);
    if (m === null) return recorded(404);
    const [, repo = '', kind, rest = ''] = m;
    if (kind === 'blobs' && rest === 'uploads/' && req.method === 'POST') {
      return recorded(202, { location: `/v2/${repo}/blobs/uploads/${randomUUID()}?_state=x` });
    }
    if (kind === 'blobs' && rest.startsWith('uploads/') && req.method === 'PUT') {
      const digest = url.searchParams.get('digest') ?? '';
      const body = req.body ?? new Uint8Array();
      if (digestOf(body) !== digest) return recorded(400, {}, error('DIGEST_INVALID'));
      this.blobs.set(digest, body);
      return recorded(201, { 'docker-content-digest': digest });
    }
    if (kind === 'blobs') {
      const blob = this.blobs.get(rest);
      if (blob === undefined) return recorded(404, {}, error('BLOB_UNKNOWN'));
      const headers = { 'content-length': String(blob.byteLength), 'docker-content-digest': rest };
      return req.method === 'HEAD' ? recorded(200, headers) : recorded(200, headers, blob);
    }
    if (kind === 'manifests') return this.#manifest(req, repo, rest, opts);
    if (kind === 'referrers') {
      if (opts.referrers !== true) return recorded(404);
      const manifests = [...this.manifests.entries()]
        .filter(([key]) => key.startsWith(`${repo}@`))
        .flatMap(([, m]) => {
          const doc = JSON.parse(Buffer.from(m.bytes).toString('utf8')) as {
            subject?: { digest?: string };
            artifactType?: string;
          };
          return doc.subject?.digest === rest
            ? [
                {
                  mediaType: m.mediaType,
                  digest: digestOf(m.bytes),
                  size: m.bytes.byteLength,
                  artifactType: doc.artifactType,
                },
              ]
            : [];
        });
      const index = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests,
      };
      return recorded(200, { 'content-type': index.mediaType }, JSON.stringify(index));
    }
    if (kind === 'tags' && rest === 'list') {
      const tags = [...this.tags.keys()]
        .filter((k) => k.startsWith(`${repo}:`))
        .map((k) => k.slice(repo.length + 1));
      return recorded(200, {}, JSON.stringify({ name: repo, tags }));
    }
    return recorded(404);
  }

  #manifest(
    req: SeenRequest,
    repo: string,
    ref: string,
    opts: MemoryRegistryOptions,
  ): HttpResponse {
    if (req.method === 'PUT') {
      const bytes = req.body ?? new Uint8Array();
      const digest = digestOf(bytes);
      if (ref.startsWith('sha256:') && ref !== digest)
        return recorded(400, {}, error('DIGEST_INVALID'));
      const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
        config?: { digest: string };
        layers?: { digest: string }[];
        subject?: { digest: string };
      };
      for (const d of [doc.config, ...(doc.layers ?? [])]) {
        if (d !== undefined && !this.blobs.has(d.digest)) {
          return recorded(400, {}, error('MANIFEST_BLOB_UNKNOWN'));
        }
      }
      this.manifests.set(`${repo}@${digest}`, {
        bytes,
        mediaType: req.headers['content-type'] ?? '',
      });
      if (!ref.startsWith('sha256:')) this.tags.set(`${repo}:${ref}`, digest);
      const headers: Record<string, string> = { 'docker-content-digest': digest };
      if (opts.referrers === true && doc.subject !== undefined)
        headers['oci-subject'] = doc.subject.digest;
      return recorded(201, headers);
    }
    const digest = ref.startsWith('sha256:') ? ref : this.tags.get(`${repo}:${ref}`);
    const found = digest === undefined ? undefined : this.manifests.get(`${repo}@${digest}`);
    if (found === undefined || digest === undefined)
      return recorded(404, {}, error('MANIFEST_UNKNOWN'));
    const headers = {
      'content-type': found.mediaType,
      'content-length': String(found.bytes.byteLength),
      'docker-content-digest': digest,
    };
    return req.method === 'HEAD' ? recorded(200, headers) : recorded(200, headers, found.bytes);
  }
}

function error(code: string): string {
  return JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, ' ') }] });
}

/** A one-layer OCI image as blobs: the bytes of its layer, config and manifest, by digest. */
export interface OneLayerImage {
  readonly layer: Uint8Array;
  readonly config: Uint8Array;
  readonly manifest: Uint8Array;
  /** The manifest's descriptor. */
  readonly descriptor: { mediaType: string; digest: string; size: number };
  /** Layer, config and manifest by digest. */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
}

/** A tiny linux image of `architecture` (its layer is not a real tar: registries do not look). */
export function oneLayerImage(architecture = 'amd64'): OneLayerImage {
  const layer = Buffer.from(`layer for ${architecture}`);
  const config = Buffer.from(JSON.stringify({ architecture, os: 'linux' }));
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: digestOf(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: digestOf(layer),
          size: layer.length,
        },
      ],
    }),
  );
  const blobs = new Map<string, Uint8Array>([
    [digestOf(layer), layer],
    [digestOf(config), config],
    [digestOf(manifest), manifest],
  ]);
  const descriptor = { mediaType, digest: digestOf(manifest), size: manifest.length };
  return { layer, config, manifest, descriptor, blobs };
}
