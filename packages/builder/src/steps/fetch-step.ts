// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { digestOf, hashMismatch, importContextFile, parseHash, putContent } from './content-io.js';
import { redactUrl } from './http-fetcher.js';
import { isADirectory, parseMode } from './rootfs.js';
import { DEFAULT_MAX_FETCH_BYTES, type StepEnv, type StepOf } from './step-context.js';

/** The hash a fetch is checked against, and which step asked for it. */
export interface FetchExpectation {
  readonly hash: string;
  /** Set when the hash is that of the following `verify-hash` step: a mismatch is reported there. */
  readonly verifyStep?: number;
}

/**
 * `fetch`: downloads an `http(s)://` URL through the fetcher, or copies `file:<context path>`
 * from the context, and checks the bytes against the expected hash before they are written to
 * `dest` (mismatch → BUILD_HASH_MISMATCH with both digests). Downloads are recorded in
 * `env.inputs.fetches`, context files in `env.inputs.contextFiles`.
 */
export async function runFetch(
  step: StepOf<'fetch'>,
  env: StepEnv,
  expectation: FetchExpectation,
): Promise<void> {
  const { rootfs } = env;
  const expected = parseHash(expectation.hash);
  const dest = rootfs.resolve(step.dest);
  if (rootfs.get(dest)?.type === 'd') throw isADirectory(step.dest);

  const local = step.url.startsWith('file:');
  let stored;
  if (local) {
    const item = await env.context.resolve(step.url.slice('file:'.length));
    if (item.type !== 'f') {
      throw new VcError('BUILD_STEP_FAILED', `${step.url} is not a regular file`);
    }
    stored = await importContextFile(env, item);
  } else {
    const max = env.maxFetchBytes ?? DEFAULT_MAX_FETCH_BYTES;
    const body = await env.fetcher.fetch(step.url);
    stored = await putContent(rootfs.content, limitBytes(body, max, step.url));
  }

  const actual = await digestOf(rootfs.content, stored.digest, expected.algorithm);
  if (actual !== expected.hex) {
    if (expectation.verifyStep === undefined) {
      throw hashMismatch(local ? step.url : redactUrl(step.url), expected, actual);
    }
    const err = hashMismatch(step.dest, expected, actual);
    throw new VcError(err.code, err.message, {
      ...(err.hint === undefined ? {} : { hint: err.hint }),
      details: { ...err.details, atStep: expectation.verifyStep },
    });
  }
  if (!local) {
    env.inputs.recordFetch({
      step: env.index,
      url: step.url,
      sha256: stored.digest,
      size: stored.size,
    });
  }
  rootfs.writeFile(dest, stored, { mode: parseMode(step.mode) });
}

/** Passes bytes through, failing with BUILD_FETCH_FAILED beyond `max`. */
async function* limitBytes(
  body: AsyncIterable<Uint8Array>,
  max: number,
  url: string,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > max) {
      throw new VcError('BUILD_FETCH_FAILED', `${redactUrl(url)} is larger than ${max} bytes`);
    }
    yield chunk;
  }
}
