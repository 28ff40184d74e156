// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError, resolveStoreRoot } from '@verified-container/shared';
import { isEncryptedPem, type Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readFirstLine } from '../io/files.js';
import { passphraseFromDeps, readPrivateKeyAsking } from '../signing/passphrase.js';
import { DEFAULT_MAX_BODY, initLog, logPaths, openFileLog, startLogServer } from '../tlog/index.js';

interface InitFlags {
  dir?: string;
  origin?: string;
  name?: string;
  operator?: string;
  url?: string;
  passphraseFile?: string;
  passphrase?: boolean;
  force?: boolean;
  json?: boolean;
}

interface ServeFlags {
  dir: string;
  port: string;
  key?: string;
  passphraseFile?: string;
  host: string;
  maxBody?: string;
}

/** `cerro-torre log`: create and serve transparency logs (03 §9.1). */
export function makeLogCommand(deps: CliDeps, box: ResultBox): Command {
  const log = newCommand('log', 'create and serve transparency logs');
  log.addCommand(
    newCommand('init', 'create a transparency log directory and its key')
      .option('--dir <dir>', 'log directory (default $VC_ROOT/logs/<origin>)')
      .option(
        '--origin <id>',
        'log id, checkpoint origin and note key name (default basename of --dir)',
      )
      .option('--name <id>', 'same as --origin')
      .option('--operator <name>', 'operator named in the trust-store entry (default the log id)')
      .option('--url <url>', 'URL in the trust-store entry (default file:<absolute dir>)')
      .option('--passphrase-file <file>', 'encrypt log.key with the first line of this file')
      .option('--no-passphrase', 'store log.key unencrypted')
      .option('--force', 're-initialise a directory holding an empty log')
      .option('--json', 'print {logId, keyId, publicKey, noteVerifierKey, trustStoreEntry}')
      .addHelpText(
        'after',
        `
Creates log.json, log.key (0600), log.pub, empty storage and a signed size-0 head. Prints on
stdout the trust-store entry to paste into the trust store's "logs", and on stderr the key id and
the note verifier key. Exit status: 0 created, 1 the directory already holds a log, 2 usage.`,
      )
      .action(action(box, 'builder', async (flags: InitFlags) => runLogInit(flags, deps))),
  );
  log.addCommand(
    newCommand('serve', 'serve a transparency log over HTTP (03 §7)')
      .requiredOption('--dir <dir>', 'log directory created by log init')
      .requiredOption('--port <port>', 'TCP port; 0 picks a free one')
      .option('--key <file>', 'log signing key (default <dir>/log.key)')
      .option(
        '--passphrase-file <file>',
        'passphrase of an encrypted key (first line; else $CT_KEY_PASSPHRASE, else asked on a terminal)',
      )
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--max-body <bytes>', `largest request body (default ${DEFAULT_MAX_BODY})`)
      .addHelpText(
        'after',
        `
When ready prints one line on stdout: {"listening":"http://H:P","logId":…,"treeSize":n}.
SIGTERM/SIGINT stop accepting, finish in-flight appends and exit 0. Exit status: 1 port in use
(LOG_LISTEN_FAILED) or corrupt storage (LOG_CORRUPT), 2 usage or LOG_KEY_MISMATCH, 3 the log
is already served by another process (LOG_UNAVAILABLE).`,
      )
      .action(action(box, 'builder', async (flags: ServeFlags) => runLogServe(flags, deps))),
  );
  return log;
}

async function runLogInit(flags: InitFlags, deps: CliDeps): Promise<CommandResult> {
  const origin = flags.origin ?? flags.name;
  let dir: string;
  let logId: string;
  if (flags.dir !== undefined) {
    dir = resolve(deps.cwd, flags.dir);
    logId = origin ?? basename(dir);
  } else if (origin !== undefined) {
    const root = resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir });
    dir = join(root, 'logs', origin);
    logId = origin;
  } else {
    throw new VcError('USAGE', 'log init needs --dir or --origin', {
      hint: 'e.g. cerro-torre log init --dir ./logs/local-file-log',
    });
  }
  let passphrase: string | undefined;
  if (flags.passphraseFile !== undefined) {
    passphrase = await readFirstLine(resolve(deps.cwd, flags.passphraseFile), 'passphrase file');
  } else if (flags.passphrase !== false) {
    passphrase = deps.env['CT_KEY_PASSPHRASE'];
  }
  if (passphrase === '') passphrase = undefined;
  const result = await initLog({
    dir,
    logId,
    operator: flags.operator,
    url: flags.url,
    passphrase,
    force: flags.force,
    clock: deps.clock,
  });
  const stderr = [
    `Created transparency log ${result.logId} in ${dir} (key ${passphrase !== undefined ? 'encrypted' : 'unencrypted'})`,
    `key id:              ${result.keyId}`,
    `note verifier key:   ${result.noteVerifierKey}`,
    'Paste the entry printed on stdout into the "logs" of your trust store.',
  ];
  return {
    exitCode: 0,
    stdout: jsonLine(flags.json === true ? result : result.trustStoreEntry),
    stderr: `${stderr.join('\n')}\n`,
  };
}

function parseCount(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!/^(?:0|[1-9][0-9]*)$/.test(text) || n > max) {
    throw new VcError(
      'USAGE',
      `${flag} must be an integer from 0 to ${max}, not ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/**
 * The decrypted log key when `path` holds an encrypted one (asking per 02 §8); undefined for an
 * unencrypted or unreadable key, which `openFileLog` reads and reports itself.
 */
async function unlockServedKey(
  path: string,
  flags: ServeFlags,
  deps: CliDeps,
): Promise<Ed25519PrivateKey | undefined> {
  const pem = await readFile(path, 'utf8').catch(() => '');
  if (!isEncryptedPem(pem)) return undefined;
  return readPrivateKeyAsking(path, passphraseFromDeps(deps, flags.passphraseFile));
}

async function runLogServe(flags: ServeFlags, deps: CliDeps): Promise<CommandResult> {
  const port = parseCount(flags.port, '--port', 65535);
  const maxBody =
    flags.maxBody === undefined ? undefined : parseCount(flags.maxBody, '--max-body', 2 ** 31);
  const dir = resolve(deps.cwd, flags.dir);
  const keyPath = flags.key === undefined ? undefined : resolve(deps.cwd, flags.key);
  // 02 §8: an encrypted key is opened with --passphrase-file, CT_KEY_PASSPHRASE or a prompt
  const key = await unlockServedKey(keyPath ?? logPaths(dir).key, flags, deps);
  const log = await openFileLog(dir, {
    mode: 'served',
    keyPath,
    ...(key !== undefined ? { key } : {}),
    passphrase: deps.env['CT_KEY_PASSPHRASE'],
    clock: deps.clock,
  });
  let server;
  try {
    server = await startLogServer({
      log,
      host: flags.host,
      port,
      maxBody,
      logger: deps.logger.child({ logId: log.logId }),
    });
  } catch (err) {
    await log.close();
    throw err;
  }
  // A long-running command: the ready line is written now, not with the result.
  process.stdout.write(jsonLine({ listening: server.url, logId: log.logId, treeSize: log.size() }));
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      done();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await server.close();
  return { exitCode: 0, stderr: `log ${log.logId} stopped at size ${log.size()}\n` };
}
