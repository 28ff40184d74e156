// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { mapBaseImage, packageForCopyFrom, parseImageReference } from './base-images.js';

const SLIM = 'cerro-torre/debian:bookworm-slim';

describe('mapBaseImage', () => {
  it.each([
    ['debian', 'cerro-torre/debian:bookworm'],
    ['debian:latest', 'cerro-torre/debian:bookworm'],
    ['debian:bookworm', 'cerro-torre/debian:bookworm'],
    ['debian:bookworm-slim', 'cerro-torre/debian:bookworm-slim'],
    ['debian:bullseye-slim', 'cerro-torre/debian:bullseye-slim'],
    ['debian:trixie', 'cerro-torre/debian:trixie'],
    ['debian:12', 'cerro-torre/debian:bookworm'],
    ['debian:12-slim', 'cerro-torre/debian:bookworm-slim'],
    ['docker.io/library/debian:bookworm-slim', 'cerro-torre/debian:bookworm-slim'],
    ['scratch', 'scratch'],
  ])('FROM %s → [base] image = %s', (ref, base) => {
    expect(mapBaseImage(ref)).toEqual({ base, packages: [], notes: [] });
  });

  it('lists what a Debian tag pins that the manifest cannot', () => {
    expect(mapBaseImage('debian:12.5-slim')?.notes).toEqual([
      'the point release 12.5 is not kept (the lock file pins the packages)',
    ]);
    expect(mapBaseImage(`debian:bookworm@sha256:${'a'.repeat(64)}`)?.notes[0]).toMatch(
      /^the digest pin @sha256:a+ is not kept/,
    );
  });

  it.each([
    ['debian:stable'],
    ['debian:testing'],
    ['debian:bookworm-20240110-slim'],
    ['debian:99'],
  ])('has no mapping for %s', (ref) => expect(mapBaseImage(ref)).toBeUndefined());

  // 01 §7: base cerro-torre/debian:bookworm-slim + the service's package, listed only when Debian
  // bookworm's version differs from the requested one.
  it.each([
    ['php:8.2-fpm', 'php8.2-fpm'],
    ['php:8.2-cli', 'php8.2-cli'],
    ['php:8.2', 'php8.2-cli'],
    ['php:8.2.14-fpm-bookworm', 'php8.2-fpm'],
    ['php:fpm', 'php8.2-fpm'],
    ['php', 'php8.2-cli'],
    ['nginx', 'nginx'],
    ['nginx:1.22', 'nginx'],
    ['nginx:1.22.1-alpine', 'nginx'],
    ['nginx:stable', 'nginx'],
    ['httpd:2.4', 'apache2'],
    ['mariadb:10.11', 'mariadb-server'],
    ['redis:7', 'redis-server'],
    ['redis:7.0.15-alpine', 'redis-server'],
    ['postgres:15', 'postgresql'],
    ['postgres:15.6-bookworm', 'postgresql'],
    ['python:3', 'python3'],
    ['python:3.11-slim', 'python3'],
    ['python:3.11-slim-bookworm', 'python3'],
    ['node:18', 'nodejs'],
    ['node:18-bookworm-slim', 'nodejs'],
    ['node:lts', 'nodejs'],
  ])('FROM %s → bookworm-slim + %s, nothing listed', (ref, pkg) => {
    expect(mapBaseImage(ref)).toEqual({ base: SLIM, packages: [pkg], notes: [] });
  });

  it.each([
    ['php:8.3-fpm', 'php8.2-fpm', 'Debian bookworm has PHP 8.2 (8.3 requested)'],
    ['php:7.4-cli', 'php8.2-cli', 'Debian bookworm has PHP 8.2 (7.4 requested)'],
    ['nginx:1.25', 'nginx', 'Debian bookworm has nginx 1.22 (1.25 requested)'],
    ['httpd:2.2', 'apache2', 'Debian bookworm has Apache httpd 2.4 (2.2 requested)'],
    ['mariadb:11.2', 'mariadb-server', 'Debian bookworm has MariaDB 10.11 (11.2 requested)'],
    ['redis:7.2', 'redis-server', 'Debian bookworm has Redis 7.0 (7.2 requested)'],
    ['postgres:16-alpine', 'postgresql', 'Debian bookworm has PostgreSQL 15 (16 requested)'],
    ['python:3.12-slim', 'python3', 'Debian bookworm has Python 3.11 (3.12 requested)'],
    ['node:20-alpine', 'nodejs', 'Debian bookworm has Node.js 18 (20 requested)'],
  ])('FROM %s → %s and lists "%s"', (ref, pkg, note) => {
    expect(mapBaseImage(ref)).toEqual({ base: SLIM, packages: [pkg], notes: [note] });
  });

  it('lists variants it does not map, and keeps the package', () => {
    expect(mapBaseImage('php:8.2-apache')).toEqual({
      base: SLIM,
      packages: ['php8.2-cli'],
      notes: ['the "apache" variant of php is not converted'],
    });
  });

  it.each([['python:2.7'], ['ubuntu:22.04'], ['alpine'], ['ghcr.io/acme/app:1'], ['mysql:8']])(
    'has no mapping for %s',
    (ref) => expect(mapBaseImage(ref)).toBeUndefined(),
  );
});

describe('packageForCopyFrom', () => {
  it('maps the composer image to the composer package', () => {
    expect(packageForCopyFrom('composer')).toEqual({ package: 'composer', notes: [] });
    expect(packageForCopyFrom('composer:2')).toEqual({ package: 'composer', notes: [] });
    expect(packageForCopyFrom('composer:2.7')?.notes).toEqual([
      'Debian bookworm has Composer 2.5 (2.7 requested)',
    ]);
    expect(packageForCopyFrom('golang:1.22')).toBeUndefined();
  });
});

describe('parseImageReference', () => {
  it('splits registry, tag and digest', () => {
    expect(parseImageReference('localhost:5000/app:1@sha256:ab')).toEqual({
      repository: 'localhost:5000/app',
      tag: '1',
      digest: 'sha256:ab',
    });
    expect(parseImageReference('localhost:5000/app')).toMatchObject({ tag: undefined });
  });
});
