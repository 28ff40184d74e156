// SPDX-License-Identifier: Apache-2.0
// Published ports as people read them: the PORTS column of `ps` and the lines of `vordr port`
// (docker's and podman's spellings, 05 §7).
import type { PublishedPort } from '../firewall/index.js';

/** `0.0.0.0` when the port is published on every local address. */
export function hostAddress(p: PublishedPort): string {
  return p.hostIp ?? '0.0.0.0';
}

function byAddressProtocolPort(a: PublishedPort, b: PublishedPort): number {
  return (
    hostAddress(a).localeCompare(hostAddress(b)) ||
    a.protocol.localeCompare(b.protocol) ||
    a.containerPort - b.containerPort ||
    a.hostPort - b.hostPort
  );
}

function span(first: number, last: number): string {
  return first === last ? `${first}` : `${first}-${last}`;
}

/**
 * The PORTS cell of `ps`: `0.0.0.0:8080->80/tcp, 127.0.0.1:9000->9000/tcp`, sorted by address,
 * protocol and container port; runs where host and container ports both go up by one are
 * collapsed (`0.0.0.0:8000-8001->80-81/tcp`).
 */
export function portsCell(ports: readonly PublishedPort[]): string {
  const sorted = [...ports].sort(byAddressProtocolPort);
  const runs: { first: PublishedPort; last: PublishedPort }[] = [];
  for (const p of sorted) {
    const run = runs[runs.length - 1];
    if (
      run !== undefined &&
      hostAddress(run.last) === hostAddress(p) &&
      run.last.protocol === p.protocol &&
      run.last.containerPort + 1 === p.containerPort &&
      run.last.hostPort + 1 === p.hostPort
    ) {
      run.last = p;
    } else {
      runs.push({ first: p, last: p });
    }
  }
  return runs
    .map(
      ({ first, last }) =>
        `${hostAddress(first)}:${span(first.hostPort, last.hostPort)}->` +
        `${span(first.containerPort, last.containerPort)}/${first.protocol}`,
    )
    .join(', ');
}

/** `vordr port CTR`: one `80/tcp -> 0.0.0.0:8080` line per published port, sorted. */
export function portLines(ports: readonly PublishedPort[]): string[] {
  return [...ports]
    .sort(
      (a, b) =>
        a.containerPort - b.containerPort ||
        a.protocol.localeCompare(b.protocol) ||
        byAddressProtocolPort(a, b),
    )
    .map((p) => `${p.containerPort}/${p.protocol} -> ${hostAddress(p)}:${p.hostPort}`);
}
