// SPDX-License-Identifier: Apache-2.0
import { toVcError, VcError } from '@verified-container/shared';
import { toVerifyResultJson } from '@verified-container/shared/verify';
import { renderCheck } from '../container/index.js';
import { reportJson } from '../check/index.js';
import { checkOnce } from '../commands/check.js';
import { findContainer } from '../commands/support.js';
import { stopContainer } from '../commands/stop.js';
import { exitedMarker } from '../container/index.js';
import {
  followLogFile,
  parseLogTime,
  parseTail,
  readLogFile,
  toLogEntry,
  type LogSelection,
  type TimedLogEntry,
} from '../logs/index.js';
import { containerPaths } from '../store/index.js';
import { checkLineJson, renderCheckLines, type ImageVerification } from '../verification/index.js';
import { runRequestFromCreate } from '../service/container-create.js';
import {
  containerObject,
  execInContainer,
  inspectObject,
  killByRef,
  listContainers,
  removeByRef,
  startByRef,
  waitByRef,
} from '../service/containers.js';
import {
  detachedJson,
  rejectedJson,
  rejectedLine,
  runContainer,
} from '../service/run-container.js';
import { parseJsonBody, queryBool, readBody, validateBody } from './body.js';
import type { DaemonDeps } from './daemon-deps.js';
import { json, type HttpResult, type ParsedRequest } from './http-types.js';
import type { Route } from './router.js';

/** An exec may run at most this long (05 §12.1). */
export const MAX_EXEC_TIMEOUT_S = 600;
const DEFAULT_EXEC_TIMEOUT_S = 60;
const EXEC_OUTPUT_LIMIT = 1024 * 1024;

/** The container endpoints of 05 §12.1. */
export function containerRoutes(deps: DaemonDeps): Route[] {
  const now = (): number => deps.clock.now().getTime();
  const ctxOf = (req: ParsedRequest) => deps.contextFor(req.actor);
  const env = { env: deps.env, clock: deps.clock };
  return [
    {
      method: 'GET',
      pattern: '/v1/containers',
      handler: async (req) => {
        const records = await listContainers(ctxOf(req), {
          all: queryBool(req.query, 'all'),
          filters: req.query.getAll('filter'),
        });
        return json(200, { containers: records.map((r) => containerObject(r, now())) });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/containers',
      handler: async (req) => {
        const body = parseJsonBody(req.headers['content-type'], await readBody(req.body));
        const request = runRequestFromCreate(body);
        const ctx = ctxOf(req);
        let stderr = '';
        const outcome = await runContainer(
          ctx,
          {
            env: deps.env,
            clock: deps.clock,
            cwd: '/',
            homeDir: deps.env['HOME'] ?? '/root',
            quiet: true,
            say: (text) => (stderr += text),
          },
          request,
        ).catch((err: unknown) => {
          // What `run` printed before the error (check lines), for the CLI through the daemon.
          throw withRunOutput(err, stderr);
        });
        if (outcome.kind === 'rejected') {
          throw rejection(outcome.verification, outcome.exitCode, {
            stderr,
            error: rejectedLine(outcome.verification),
            json: rejectedJson(request.image, outcome.verification),
          });
        }
        const { record } = outcome;
        return json(
          201,
          {
            ...containerObject(record, now()),
            // What `vordr run -d` prints, so the CLI's output is the same through the daemon.
            run: { stderr, json: detachedJson(record, outcome.image, outcome.verification) },
          },
          { location: `/v1/containers/${record.id}` },
        );
      },
    },
    {
      method: 'GET',
      pattern: '/v1/containers/{ref}',
      handler: async (req) => {
        const ctx = ctxOf(req);
        return json(
          200,
          inspectObject(ctx.root, await findContainer(ctx, req.params['ref']!), now()),
        );
      },
    },
    {
      method: 'POST',
      pattern: '/v1/containers/{ref}/start',
      handler: (req) => startRoute(req, undefined),
    },
    {
      method: 'POST',
      pattern: '/v1/containers/{ref}/restart',
      handler: (req) => startRoute(req, timeoutOf(req.query) ?? null),
    },
    {
      method: 'POST',
      pattern: '/v1/containers/{ref}/stop',
      handler: async (req) => {
        const ctx = ctxOf(req);
        const record = await findContainer(ctx, req.params['ref']!);
        await stopContainer(ctx, record.id, timeoutOf(req.query));
        // An `--rm` container is gone once stopped: its last state is the answer.
        const after = await findContainer(ctx, record.id).catch(() => ({
          ...record,
          state: 'exited' as const,
        }));
        return json(200, containerObject(after, now()));
      },
    },
    {
      method: 'POST',
      pattern: '/v1/containers/{ref}/kill',
      handler: async (req) => {
        const ctx = ctxOf(req);
        const record = await killByRef(
          ctx,
          req.params['ref']!,
          req.query.get('signal') ?? 'SIGKILL',
        );
        return json(200, containerObject(record, now()));
      },
    },
    {
      method: 'POST',
      pattern: '/v1/containers/{ref}/wait',
      handler: async (req) => {
        const exitCode = await waitByRef(ctxOf(req), req.params['ref']!, req.signal);
        return json(200, { exitCode });
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/containers/{ref}',
      handler: async (req) => {
        const removed = await removeByRef(ctxOf(req), req.params['ref']!, {
          force: queryBool(req.query, 'force'),
          volumes: queryBool(req.query, 'volumes'),
        });
        // `rm -f` of a missing container succeeds (05 §2); the header tells the CLI which it was.
        return { kind: 'empty', status: 204, headers: { 'x-vordr-removed': removed ? '1' : '0' } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/containers/{ref}/logs',
      handler: async (req) => logsRoute(req),
    },
    {
      method: 'POST',
      pattern: '/v1/containers/{ref}/exec',
      handler: async (req) => {
        const body = validateBody<{
          cmd: string[];
          env?: Record<string, string>;
          user?: string;
          workdir?: string;
          timeout?: number;
        }>(parseJsonBody(req.headers['content-type'], await readBody(req.body)), {
          required: ['cmd'],
          fields: {
            cmd: 'string[]',
            env: 'string-map',
            user: 'string',
            workdir: 'string',
            timeout: 'number',
          },
        });
        if (body.cmd.length === 0) throw new VcError('VALIDATION_FAILED', 'cmd must not be empty');
        const timeout = body.timeout ?? DEFAULT_EXEC_TIMEOUT_S;
        if (timeout <= 0 || timeout > MAX_EXEC_TIMEOUT_S) {
          throw new VcError(
            'VALIDATION_FAILED',
            `timeout must be in (0, ${MAX_EXEC_TIMEOUT_S}] seconds`,
          );
        }
        const ctx = ctxOf(req);
        const record = await findContainer(ctx, req.params['ref']!);
        const result = await execInContainer(ctx, record, {
          command: body.cmd,
          env: Object.entries(body.env ?? {}),
          ...(body.user !== undefined ? { user: body.user } : {}),
          ...(body.workdir !== undefined ? { workdir: body.workdir } : {}),
          timeoutMs: timeout * 1000,
          maxOutputBytes: EXEC_OUTPUT_LIMIT,
        });
        if (result.timedOut) {
          throw new VcError('TIMEOUT', `exec in ${record.name} ran longer than ${timeout} s`);
        }
        return json(200, {
          exitCode: result.exitCode,
          stdout: result.stdout.toString('utf8'),
          stderr: result.stderr.toString('utf8'),
          truncated: result.truncated,
        });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/containers/{ref}/check',
      handler: async (req) => {
        const report = await checkOnce(
          ctxOf(req),
          env,
          req.params['ref']!,
          queryBool(req.query, 'full'),
        );
        return json(200, reportJson(report));
      },
    },
  ];

  async function startRoute(
    req: ParsedRequest,
    stopGrace: number | null | undefined,
  ): Promise<HttpResult> {
    const outcome = await startByRef(ctxOf(req), env, req.params['ref']!, stopGrace);
    if (outcome.kind === 'rejected') {
      const v = outcome.verification;
      throw rejection(v, v.exitCode, {
        stderr: renderCheckLines(v.runChecks, v.result),
        error: rejectedLine(v),
      });
    }
    return json(200, {
      ...containerObject(outcome.record, now()),
      // The check lines `vordr start` prints (none when it was running already).
      run: {
        stderr: outcome.alreadyRunning ? '' : outcome.record.checks.map(renderCheck).join(''),
      },
    });
  }

  async function logsRoute(req: ParsedRequest): Promise<HttpResult> {
    const ctx = ctxOf(req);
    const record = await findContainer(ctx, req.params['ref']!);
    const q = req.query;
    const nowMs = now();
    const tail = q.get('tail');
    const since = q.get('since');
    const until = q.get('until');
    const parsedTail = tail !== null && tail !== '' ? parseTail(tail) : undefined;
    const selection: LogSelection = {
      ...(parsedTail !== undefined ? { tail: parsedTail } : {}),
      ...(since !== null && since !== '' ? { sinceMs: parseLogTime(since, nowMs) } : {}),
      ...(until !== null && until !== '' ? { untilMs: parseLogTime(until, nowMs) } : {}),
    };
    const format = q.get('format') ?? 'text';
    if (format !== 'text' && format !== 'ndjson') {
      throw new VcError('USAGE', `invalid format=${format}: expected text or ndjson`);
    }
    const timestamps = queryBool(q, 'timestamps');
    const line = (entry: TimedLogEntry): string =>
      format === 'ndjson'
        ? `${JSON.stringify(toLogEntry(entry))}\n`
        : timestamps
          ? `${entry.time} ${entry.line}\n`
          : `${entry.line}\n`;
    const log = containerPaths(ctx.root, record.id).log;
    const follow = queryBool(q, 'follow') && record.state === 'running';
    async function* chunks(): AsyncGenerator<string> {
      if (follow) {
        for await (const entry of followLogFile(log, {
          exitFile: exitedMarker(ctx.root, record.id),
          selection,
          signal: req.signal,
        })) {
          yield line(entry);
        }
      } else {
        for (const entry of await readLogFile(log, selection)) yield line(entry);
      }
    }
    return {
      kind: 'stream',
      status: 200,
      contentType: format === 'ndjson' ? 'application/x-ndjson' : 'text/plain; charset=utf-8',
      chunks: chunks(),
    };
  }
}

/** `?timeout=` in whole seconds, or undefined. */
function timeoutOf(query: URLSearchParams): number | undefined {
  const text = query.get('timeout');
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text))
    throw new VcError('USAGE', `invalid timeout=${text}: expected whole seconds`);
  return Number(text);
}

/**
 * A REJECT as an error (403, 422 for MALFORMED_BUNDLE, 503 for LOG_UNAVAILABLE) with the 04
 * decision document in `details`, and what the CLI prints for it under `details.run`.
 */
function rejection(
  verification: ImageVerification,
  exitCode: number,
  run: Readonly<Record<string, unknown>>,
): VcError {
  const result = verification.result;
  return new VcError(result.errorCode ?? 'REJECT', result.message ?? 'the image was rejected', {
    details: {
      decision: toVerifyResultJson(result),
      checks: verification.runChecks.map(checkLineJson),
      exitCode,
      run,
    },
  });
}

/** An error of `POST /v1/containers` with the progress printed before it in `details.run`. */
function withRunOutput(thrown: unknown, stderr: string): VcError {
  const err = toVcError(thrown);
  if (stderr === '') return err;
  return new VcError(err.code, err.message, {
    cause: thrown,
    details: { ...err.details, run: { stderr } },
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
    ...(err.errors !== undefined ? { errors: err.errors } : {}),
  });
}
