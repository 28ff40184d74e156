// SPDX-License-Identifier: Apache-2.0
// What a conversion has gathered so far: the manifest being built, the Dockerfile's variables, WORKDIR
// and USER as Docker tracks them, and the list of what could not be converted.
import type { ConvertedStep } from './steps.js';

export interface NotConverted {
  /** 1-based line in the Dockerfile. */
  readonly line: number;
  /** The instruction (or the part of a RUN line), on one line. */
  readonly instruction: string;
  readonly reason: string;
}

export interface PortDraft {
  readonly internal: number;
  readonly protocol?: 'udp';
}

export interface HealthcheckDraft {
  readonly command: readonly string[];
  readonly interval?: string;
  readonly timeout?: string;
  readonly 'start-period'?: string;
  readonly retries?: number;
}

/** Longest instruction text quoted in a "not converted" line. */
const MAX_INSTRUCTION_CHARS = 160;

export class ManifestDraft {
  base: string | undefined;
  readonly packages: string[] = [];
  readonly steps: ConvertedStep[] = [];
  command: readonly string[] | undefined;
  entrypoint: readonly string[] | undefined;
  /** The current WORKDIR (Docker's default `/`); undefined once it could not be resolved. */
  workdir: string | undefined = '/';
  /** USER as written (undefined: never set, so root); `userKnown` is false once it could not be resolved. */
  user: string | undefined;
  group: string | undefined;
  userKnown = true;
  stopSignal: string | undefined;
  healthcheck: HealthcheckDraft | undefined;
  readonly environment = new Map<string, string>();
  readonly labels = new Map<string, string>();
  readonly ports = new Map<string, PortDraft>();
  /** Volume mount points, in order (`vol-1`, `vol-2`, …). */
  readonly volumes: string[] = [];
  readonly notConverted: NotConverted[] = [];
  /** ARGs declared before the first FROM: their default, or undefined when they have none. */
  readonly globalArgs = new Map<string, string | undefined>();
  /** Variables of the current stage (ENV and ARG): the value, or undefined when not known. */
  readonly vars = new Map<string, string | undefined>();

  /** For the lexer: the value of a variable, undefined when it is not known. */
  readonly lookup = (name: string): string | undefined => this.vars.get(name);

  list(line: number, instruction: string, reason: string): void {
    this.notConverted.push({ line, instruction: oneLine(instruction), reason: oneLine(reason) });
  }

  /** Adds a Debian package unless one of that name is already there. */
  addPackage(spec: string): void {
    const name = spec.split('=')[0];
    if (!this.packages.some((p) => p.split('=')[0] === name)) this.packages.push(spec);
  }

  /** Whether RUN commands run as root at this point: undefined when USER could not be resolved. */
  runsAsRoot(): boolean | undefined {
    if (!this.userKnown) return undefined;
    return this.user === undefined || this.user === 'root' || this.user === '0';
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_INSTRUCTION_CHARS
    ? flat
    : `${flat.slice(0, MAX_INSTRUCTION_CHARS - 1).trimEnd()}…`;
}
