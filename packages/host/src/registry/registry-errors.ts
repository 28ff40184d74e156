// SPDX-License-Identifier: Apache-2.0
// The coded errors of the registry client. Network failures are REGISTRY_UNAVAILABLE (exit 3,
// raised by the transport); the rest exit 1.
import { VcError } from '@verified-container/shared';
import type { HttpResponse } from './http-transport.js';

/** Registry error bodies are small JSON documents; more than this is not read. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The distribution spec's error body (`{"errors":[{"code","message","detail"}]}`) as one line,
 * e.g. `MANIFEST_BLOB_UNKNOWN: blob unknown to registry`; empty when there is none.
 */
export async function registryErrorText(response: HttpResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body()) {
      total += chunk.byteLength;
      if (total > MAX_ERROR_BODY_BYTES) break;
      chunks.push(chunk);
    }
  } catch {
    return '';
  }
  try {
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      errors?: { code?: unknown; message?: unknown }[];
    };
    const first = Array.isArray(doc.errors) ? doc.errors[0] : undefined;
    if (first === undefined) return '';
    const code = typeof first.code === 'string' ? first.code : '';
    const message = typeof first.message === 'string' ? first.message : '';
    return [code, message].filter((s) => s !== '').join(': ');
  } catch {
    return '';
  }
}

/** What the client was doing, for messages: `pull example/hello from localhost:5000`. */
export interface RequestContext {
  readonly host: string;
  readonly what: string;
  /** Where the credentials came from, when some were sent. */
  readonly credentialSource?: string;
}

/** 401 after authenticating (or with nothing to authenticate with). */
export function unauthorized(ctx: RequestContext, detail = ''): VcError {
  const sent = ctx.credentialSource !== undefined;
  return new VcError(
    'REGISTRY_UNAUTHORIZED',
    sent
      ? `${ctx.host} refused the credentials from ${ctx.credentialSource} (${ctx.what})${suffix(detail)}`
      : `${ctx.host} requires authentication (${ctx.what}) and no credentials were found for it${suffix(detail)}`,
    {
      hint: `log in with "podman login ${ctx.host}" (or docker login), or point REGISTRY_AUTH_FILE at an auth.json`,
    },
  );
}

/** 403: authenticated, but not allowed. */
export function denied(ctx: RequestContext, detail = ''): VcError {
  return new VcError('REGISTRY_UNAUTHORIZED', `${ctx.host} denied ${ctx.what}${suffix(detail)}`, {
    hint: 'check that the account may access this repository',
  });
}

export function notFound(ctx: RequestContext, detail = ''): VcError {
  return new VcError(
    'REGISTRY_NOT_FOUND',
    `${ctx.what}: not found on ${ctx.host}${suffix(detail)}`,
    {
      hint: 'check the repository, tag and digest',
    },
  );
}

/** Any other status: 429/502/503/504 mean the registry is not usable now (exit 3). */
export function unexpectedStatus(ctx: RequestContext, status: number, detail = ''): VcError {
  const busy = status === 429 || status === 502 || status === 503 || status === 504;
  return new VcError(
    busy ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_ERROR',
    `${ctx.host} answered HTTP ${status} to ${ctx.what}${suffix(detail)}`,
    busy ? { hint: 'the registry is overloaded or down; try again later' } : {},
  );
}

/** The error of a failed response, its body read for the registry's own message. */
export async function errorFor(ctx: RequestContext, response: HttpResponse): Promise<VcError> {
  const detail = await registryErrorText(response);
  switch (response.status) {
    case 401:
      return unauthorized(ctx, detail);
    case 403:
      return denied(ctx, detail);
    case 404:
      return notFound(ctx, detail);
    default:
      return unexpectedStatus(ctx, response.status, detail);
  }
}

function suffix(detail: string): string {
  return detail === '' ? '' : `: ${detail}`;
}
