// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { action, newCommand, storeRoot, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { lifecycleContext } from '../container/index.js';
import { runDaemon } from '../daemon/run-daemon.js';
import { parseSocketMode, socketPathOf } from '../daemon/socket.js';

interface DaemonFlags {
  socketGroup?: string;
  socketMode?: string;
}

/** `vordr daemon` = `vordr --daemon` (05 §12): the HTTP API on a unix socket, in the foreground. */
export function makeDaemonCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('daemon', 'serve the HTTP API on a unix socket (foreground)')
    .option('--socket-group <group>', 'group of the socket (default vordr if it exists, else root)')
    .option('--socket-mode <mode>', 'permissions of the socket (default 0660)')
    .addHelpText(
      'after',
      `
Listens on --socket (default $VORDR_SOCKET, else /run/vordr/vordr.sock; the default also gets the
symlink /run/vordr.sock). Access to the socket is full control of vordr. SIGTERM/SIGINT: stop
accepting, finish requests (at most 10 s), exit 0; containers keep running. Logs JSON to stdout.`,
    )
    .action(
      action<[], DaemonFlags>(box, async (_args, flags) => {
        const root = storeRoot(deps, flags);
        const socket = socketPathOf(flags.socket, deps.env);
        const socketMode = parseSocketMode(flags.socketMode);
        const logger = deps.daemonLogger !== undefined ? await deps.daemonLogger() : deps.logger;
        const stop = new Promise<void>((resolve) => {
          const unsubscribe = deps.onSignal?.((signal) => {
            if (signal === 'SIGINT' || signal === 'SIGTERM') {
              unsubscribe?.();
              resolve();
            }
          });
          deps.signal?.addEventListener('abort', () => resolve(), { once: true });
          if (deps.signal?.aborted === true) resolve();
        });
        await runDaemon(
          {
            root,
            env: deps.env,
            clock: deps.clock,
            logger,
            uid: deps.uid,
            ...(flags.runtime !== undefined ? { runtime: flags.runtime } : {}),
            contextFor: (actor) =>
              lifecycleContext({
                root,
                clock: deps.clock,
                logger,
                env: deps.env,
                actor,
                ...(flags.runtime !== undefined ? { runtime: flags.runtime } : {}),
                ...(deps.selfCommand !== undefined ? { selfCommand: deps.selfCommand } : {}),
                ...(deps.exitHookCommand !== undefined
                  ? { exitHookCommand: deps.exitHookCommand }
                  : {}),
              }),
          },
          {
            socket,
            socketMode,
            ...(flags.socketGroup !== undefined ? { socketGroup: flags.socketGroup } : {}),
            stop,
          },
        );
        return { exitCode: 0 };
      }),
    );
}
