// SPDX-License-Identifier: Apache-2.0
// `vordr port CTR [PRIVATE_PORT[/PROTO]]`, as `docker port` / `podman port`: the host addresses of a
// running container's published ports.
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { errorResult, jsonLine } from '../cli/output.js';
import { daemonFor, recordOf, refPath } from '../client/cli-daemon.js';
import type { ContainerRecord } from '../container/index.js';
import type { Protocol, PublishedPort } from '../firewall/index.js';
import { hostAddress, portLines } from './ports-text.js';
import { contextFor, findContainer } from './support.js';

/** docker's status for a port the container does not publish (not vordr's 125). */
export const EXIT_NO_PUBLIC_PORT = 1;

/** `80`, `80/tcp` or `53/udp`; anything else is `USAGE`. */
export function parsePrivatePort(text: string): { port: number; protocol: Protocol } {
  const m = /^([0-9]{1,5})(?:\/(tcp|udp))?$/.exec(text);
  const port = m === null ? NaN : Number(m[1]);
  if (m === null || port < 1 || port > 65535) {
    throw new VcError('USAGE', `invalid port ${JSON.stringify(text)}`, {
      hint: 'give PRIVATE_PORT[/tcp|udp], e.g. 80 or 53/udp',
    });
  }
  return { port, protocol: (m[2] as Protocol | undefined) ?? 'tcp' };
}

/** The published ports of a container as `port` shows them: none unless it is running. */
export function livePorts(record: ContainerRecord): readonly PublishedPort[] {
  return record.state === 'running' ? (record.ports ?? []) : [];
}

/** What `vordr port` prints, or the error of a private port that is not published. */
export type PortOutput =
  | { readonly lines: string[]; readonly ports: PublishedPort[] }
  | { readonly notPublished: VcError };

/**
 * What `vordr port` prints for `ports` of container `name`, optionally only `privatePort`: lines
 * `80/tcp -> 0.0.0.0:8080`, or with a private port only `0.0.0.0:8080`. A private port that is not
 * published is docker's `No public port '81/tcp' published for web` (`USAGE`).
 */
export function portOutput(
  name: string,
  ports: readonly PublishedPort[],
  privatePort?: string,
): PortOutput {
  if (privatePort === undefined) return { lines: portLines(ports), ports: [...ports] };
  const want = parsePrivatePort(privatePort);
  const matching = ports.filter(
    (p) => p.containerPort === want.port && p.protocol === want.protocol,
  );
  if (matching.length === 0) {
    const published = portLines(ports).map((l) => l.split(' ')[0]);
    return {
      notPublished: new VcError(
        'USAGE',
        `No public port '${want.port}/${want.protocol}' published for ${name}`,
        {
          hint:
            published.length === 0
              ? `${name} publishes no ports (none without -p, and none while it is not running)`
              : `${name} publishes ${published.join(', ')}`,
        },
      ),
    };
  }
  return {
    lines: portLines(matching).map((l) => l.slice(l.indexOf('-> ') + 3)),
    ports: matching,
  };
}

export function makePortCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('port', "list a container's published ports", ['json'])
    .argument('<container>', 'container name, id or id prefix')
    .argument('[private-port]', 'only this container port: PORT[/tcp|udp] (default tcp)')
    .option('--json', 'one JSON array of {containerPort, protocol, hostIp, hostPort}')
    .addHelpText(
      'after',
      `
Prints one line per published port, e.g. "80/tcp -> 0.0.0.0:8080"; with a private port only its
host addresses ("0.0.0.0:8080"). A container that is not running publishes nothing.
Exit status: 0 ok; 1 the private port is not published; 125 any other error.`,
    )
    .action(
      action<[string, string | undefined], object>(box, async ([ref, privatePort], flags) => {
        const daemon = await daemonFor(deps, flags);
        const record =
          daemon !== undefined
            ? recordOf(await daemon.json<Record<string, unknown>>('GET', refPath(ref)))
            : await findContainer(contextFor(deps, flags), ref);
        const out = portOutput(record.name, livePorts(record), privatePort);
        if ('notPublished' in out) {
          return {
            ...errorResult(out.notPublished, { json: flags.json === true }),
            exitCode: EXIT_NO_PUBLIC_PORT,
          };
        }
        if (flags.json === true) {
          return {
            exitCode: 0,
            stdout: jsonLine(
              out.ports.map((p) => ({
                containerPort: p.containerPort,
                protocol: p.protocol,
                hostIp: hostAddress(p),
                hostPort: p.hostPort,
              })),
            ),
          };
        }
        return { exitCode: 0, stdout: out.lines.map((l) => `${l}\n`).join('') };
      }),
    );
}
