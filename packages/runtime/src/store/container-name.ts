// SPDX-License-Identifier: Apache-2.0
import { randomInt } from 'node:crypto';
import { VcError } from '@verified-container/shared';

/** Names of containers, volumes and networks (05 §2). */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export type NamedKind = 'container' | 'volume' | 'network';

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** INVALID_NAME unless `name` matches {@link NAME_PATTERN}. */
export function assertValidName(name: string, kind: NamedKind = 'container'): void {
  if (!isValidName(name)) {
    throw new VcError('INVALID_NAME', `invalid ${kind} name ${JSON.stringify(name)}`, {
      hint: 'names are 1–128 characters of [a-zA-Z0-9_.-] starting with a letter or digit',
    });
  }
}

/** NAME_IN_USE when `name` is taken. */
export function assertNameFree(
  name: string,
  taken: ReadonlySet<string>,
  kind: NamedKind = 'container',
): void {
  if (taken.has(name)) {
    throw new VcError('NAME_IN_USE', `the ${kind} name ${JSON.stringify(name)} is already in use`, {
      hint: `choose another name, or remove the ${kind} that has it`,
    });
  }
}

export const NAME_ADJECTIVES: readonly string[] = [
  'agile',
  'amber',
  'ancient',
  'arctic',
  'bold',
  'brave',
  'bright',
  'brisk',
  'calm',
  'clever',
  'cosmic',
  'crimson',
  'curious',
  'daring',
  'deep',
  'eager',
  'early',
  'fearless',
  'fierce',
  'frosty',
  'gentle',
  'golden',
  'grand',
  'happy',
  'hidden',
  'humble',
  'icy',
  'jolly',
  'keen',
  'kind',
  'lively',
  'loyal',
  'lucky',
  'mighty',
  'misty',
  'modest',
  'noble',
  'patient',
  'polar',
  'proud',
  'quiet',
  'rapid',
  'silent',
  'silver',
  'steady',
  'stoic',
  'swift',
  'tidy',
  'vivid',
  'wise',
  'witty',
  'zealous',
];

export const NAME_NOUNS: readonly string[] = [
  'aurora',
  'badger',
  'beacon',
  'birch',
  'bison',
  'cairn',
  'comet',
  'crane',
  'delta',
  'eagle',
  'falcon',
  'fjord',
  'forge',
  'fox',
  'glacier',
  'gull',
  'harbor',
  'hawk',
  'heron',
  'island',
  'lynx',
  'maple',
  'meadow',
  'moose',
  'nebula',
  'orca',
  'otter',
  'owl',
  'pine',
  'puffin',
  'quarry',
  'raven',
  'reef',
  'ridge',
  'river',
  'rowan',
  'saga',
  'seal',
  'shield',
  'spruce',
  'summit',
  'tern',
  'thistle',
  'tundra',
  'valley',
  'walrus',
  'warden',
  'willow',
  'wolf',
  'yarrow',
  'ymir',
  'zephyr',
];

/**
 * A generated container name `<adjective>_<noun>` (05 §2); when taken, the first free of
 * `<name>_2`, `<name>_3`, …. `pick(n)` chooses an index below n (random by default).
 */
export function generateContainerName(
  taken: ReadonlySet<string>,
  pick: (n: number) => number = randomInt,
): string {
  const base = `${NAME_ADJECTIVES[pick(NAME_ADJECTIVES.length)]}_${NAME_NOUNS[pick(NAME_NOUNS.length)]}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
