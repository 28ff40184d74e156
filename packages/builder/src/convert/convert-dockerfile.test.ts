// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '@verified-container/shared/manifest';
import { convertDockerfile, formatNotConverted } from './convert-dockerfile.js';
import { parseDockerfile } from './parse-dockerfile.js';

const FIXTURES = new URL('../../test/fixtures/dockerfiles/', import.meta.url);
const REAL_HASH = `sha256:${'a'.repeat(64)}`;

interface Converted {
  readonly text: string;
  readonly manifest: Manifest;
  /** `line: instruction (reason)` for each listed item. */
  readonly listed: readonly string[];
}

/**
 * Converts and checks the output loads: the only errors allowed are the placeholder hashes of
 * downloads, and with real digests filled in the manifest is valid.
 */
function convert(dockerfile: string | readonly string[]): Converted {
  const text = typeof dockerfile === 'string' ? dockerfile : `${dockerfile.join('\n')}\n`;
  const result = convertDockerfile(parseDockerfile(text), { name: 'app', version: '0.1.0' });
  const raw = parseManifest(result.manifestText, { source: 'app.ctp' });
  const unexpected = raw.diagnostics.filter(
    (d) =>
      d.severity === 'error' &&
      !(d.code === 'MANIFEST_HASH' && d.message === 'placeholder hash "sha256:..."'),
  );
  expect(unexpected).toEqual([]);
  const filled = parseManifest(result.manifestText.replaceAll('"sha256:..."', `"${REAL_HASH}"`), {
    source: 'app.ctp',
  });
  expect(filled.diagnostics).toEqual([]);
  return {
    text: result.manifestText,
    manifest: filled.manifest!,
    listed: result.notConverted.map((n) => `${n.line}: ${n.instruction} (${n.reason})`),
  };
}

const steps = (c: Converted): readonly unknown[] => c.manifest.build.steps;

describe('convertDockerfile: the guide example (01 §7)', () => {
  it('gives exactly the base, packages and step of the guide, with nothing listed', () => {
    const dockerfile = readFileSync(new URL('guide/Dockerfile', FIXTURES), 'utf8');
    const result = convertDockerfile(parseDockerfile(dockerfile), {
      name: 'guide',
      version: '0.1.0',
    });
    expect(result.notConverted).toEqual([]);
    expect(result.manifestText).toBe(
      [
        '# Converted from Dockerfile by `cerro-torre convert-dockerfile`.',
        '',
        '[package]',
        'name = "guide"',
        'version = "0.1.0"',
        '',
        '[base]',
        'image = "cerro-torre/debian:bookworm-slim"',
        '',
        '[dependencies]',
        'packages = ["php8.2-fpm", "wordpress", "composer"]',
        '',
        '[build]',
        'steps = [',
        '    { action = "composer-require", package = "hyperpolymath/php-aegis" },',
        ']',
        '',
      ].join('\n'),
    );
    const parsed = parseManifest(result.manifestText, { source: 'guide.ctp' });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.manifest?.base.image).toBe('cerro-torre/debian:bookworm-slim');
    expect(parsed.manifest?.dependencies.packages).toEqual(['php8.2-fpm', 'wordpress', 'composer']);
    expect(parsed.manifest?.build.steps).toEqual([
      {
        action: 'composer-require',
        package: 'hyperpolymath/php-aegis',
        // The loader fills in the default: runtime.workdir, else /.
        dir: '/',
        repositories: [],
        packagist: true,
      },
    ]);
  });
});

describe('convertDockerfile: FROM', () => {
  it('maps debian and the official service images', () => {
    expect(convert('FROM debian:bookworm-slim').manifest.base.image).toBe(
      'cerro-torre/debian:bookworm-slim',
    );
    const nginx = convert('FROM nginx:1.25');
    expect(nginx.manifest.base.image).toBe('cerro-torre/debian:bookworm-slim');
    expect(nginx.manifest.dependencies.packages).toEqual(['nginx']);
    expect(nginx.listed).toEqual([
      '1: FROM nginx:1.25 (Debian bookworm has nginx 1.22 (1.25 requested))',
    ]);
  });

  it('lists another image and starts from bookworm-slim', () => {
    const c = convert('FROM alpine:3.19\nRUN apk add curl\n');
    expect(c.manifest.base.image).toBe('cerro-torre/debian:bookworm-slim');
    expect(c.listed).toEqual([
      '1: FROM alpine:3.19 (no Cerro Torre base or package for "alpine:3.19"; cerro-torre/debian:bookworm-slim is used instead)',
      '2: RUN apk add curl ("apk" has no build-step equivalent)',
    ]);
  });

  it('resolves global ARGs in FROM and lists the ARG and --platform', () => {
    const c = convert(['ARG V=8.2', 'FROM --platform=linux/amd64 php:${V}-cli']);
    expect(c.manifest.dependencies.packages).toEqual(['php8.2-cli']);
    expect(c.listed).toEqual([
      '1: ARG V=8.2 (a manifest has no build arguments; its default "8.2" is used)',
      "2: FROM --platform=linux/amd64 (the image is built for the build host's architecture)",
    ]);
    const unknown = convert(['ARG V', 'FROM php:${V}-cli']);
    expect(unknown.listed[1]).toMatch(/^2: FROM php:\$\{V\}-cli \(\$V has no value known here/);
  });

  it('converts only the last stage of a multi-stage build and lists the others', () => {
    const c = convert([
      'FROM golang:1.22 AS build',
      'WORKDIR /src',
      'RUN go build -o /out/app .',
      '',
      'FROM debian:bookworm-slim AS final',
      'COPY --from=build /out/app /usr/local/bin/app',
      'COPY --from=0 /out/app /usr/local/bin/app',
      'CMD ["app"]',
    ]);
    expect(c.manifest.base.image).toBe('cerro-torre/debian:bookworm-slim');
    expect(c.manifest.runtime.command).toEqual(['app']);
    expect(c.listed).toEqual([
      '1: FROM golang:1.22 AS build (build stage "build", lines 1-3, is not converted: only the last stage becomes the image)',
      '6: COPY --from=build /out/app /usr/local/bin/app (copies from the build stage "build", which is not converted)',
      '7: COPY --from=0 /out/app /usr/local/bin/app (copies from the build stage "0", which is not converted)',
    ]);
  });

  it('keeps a scratch base and lists a Dockerfile without FROM', () => {
    expect(convert('FROM scratch').manifest.base.image).toBe('scratch');
    expect(convert('').listed).toEqual(['1: FROM (the Dockerfile has no FROM instruction)']);
  });
});

describe('convertDockerfile: RUN', () => {
  it('appends apt-get install packages and drops update and the lists cleanup', () => {
    const c = convert([
      'FROM debian:bookworm',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\',
      '    && rm -rf /var/lib/apt/lists/*',
      'RUN apt-get update; DEBIAN_FRONTEND=noninteractive apt-get -qq install -y tzdata=2024a-0+deb12u1 curl',
      'RUN apt install nginx && apt-get clean',
    ]);
    expect(c.manifest.dependencies.packages).toEqual([
      'curl',
      'ca-certificates',
      'tzdata=2024a-0+deb12u1',
      'nginx',
    ]);
    expect(c.listed).toEqual([]);
  });

  it('maps mkdir, chown, chmod and ln -s to steps', () => {
    const c = convert([
      'FROM debian:bookworm',
      'WORKDIR /srv',
      'RUN mkdir -p /var/www/html data && mkdir -m 0750 /secret',
      'RUN chown -R www-data:www-data /var/www/html && chown :staff data && chown 33 /secret',
      'RUN chmod -R 755 /var/www/html; chmod 0600 /secret',
      'RUN ln -s /usr/bin/python3 /usr/local/bin/python && ln -sf ../share/app bin/ && ln -s /opt/tool',
    ]);
    expect(steps(c)).toEqual([
      { action: 'mkdir', path: '/var/www/html', mode: '0755' },
      { action: 'mkdir', path: '/srv/data', mode: '0755' },
      { action: 'mkdir', path: '/secret', mode: '0750' },
      {
        action: 'chown',
        path: '/var/www/html',
        user: 'www-data',
        group: 'www-data',
        recursive: true,
      },
      { action: 'chown', path: '/srv/data', group: 'staff', recursive: false },
      { action: 'chown', path: '/secret', user: '33', recursive: false },
      {
        action: 'chmod',
        path: '/var/www/html',
        mode: '755',
        recursive: true,
        fileMode: '755',
      },
      {
        action: 'chmod',
        path: '/secret',
        mode: '0600',
        recursive: false,
        fileMode: '0600',
      },
      {
        action: 'symlink',
        target: '/usr/bin/python3',
        link: '/usr/local/bin/python',
        force: false,
      },
      { action: 'symlink', target: '../share/app', link: '/srv/bin/app', force: true },
      { action: 'symlink', target: '/opt/tool', link: '/srv/tool', force: false },
    ]);
    expect(c.listed).toEqual([]);
  });

  it('maps useradd and groupadd with simple flags', () => {
    const c = convert([
      'FROM debian:bookworm',
      'RUN groupadd -r -g 999 app && useradd -r -u 999 -g app -m -s /bin/bash app',
      'RUN useradd --no-log-init --home-dir /srv worker && groupadd -f extra',
    ]);
    expect(steps(c)).toEqual([
      { action: 'group', name: 'app', gid: 999, system: true, members: [] },
      {
        action: 'user',
        name: 'app',
        uid: 999,
        group: 'app',
        home: '/home/app',
        shell: '/bin/bash',
        system: true,
        createHome: true,
      },
      {
        action: 'user',
        name: 'worker',
        group: 'worker',
        home: '/srv',
        shell: '/usr/sbin/nologin',
        system: false,
        createHome: false,
      },
      { action: 'group', name: 'extra', system: false, members: [] },
    ]);
  });

  it('maps composer require, with the directory Docker would run it in', () => {
    const c = convert([
      'FROM php:8.2-cli',
      'COPY --from=composer:2 /usr/bin/composer /usr/local/bin/composer',
      'WORKDIR /app',
      'RUN composer require --no-interaction monolog/monolog:^3.0 psr/log 3.0.0',
      'RUN composer --working-dir=/opt/tools require -n vendor/tool',
    ]);
    expect(c.manifest.dependencies.packages).toEqual(['php8.2-cli', 'composer']);
    expect(c.text).toContain('{ action = "composer-require", package = "monolog/monolog:^3.0" }');
    expect(c.text).toContain('{ action = "composer-require", package = "psr/log:3.0.0" }');
    expect(c.text).toContain(
      '{ action = "composer-require", package = "vendor/tool", dir = "/opt/tools" }',
    );
    expect(c.listed).toEqual([]);
    // The step's default is the final WORKDIR, so a RUN under another WORKDIR keeps its dir.
    const moved = convert(['FROM php:8.2', 'RUN composer require a/b', 'WORKDIR /app']);
    expect(moved.text).toContain('{ action = "composer-require", package = "a/b", dir = "/" }');
  });

  it('lists every other part of a RUN line at the line it is on', () => {
    const c = convert([
      'FROM debian:bookworm',
      'RUN apt-get update \\',
      '    && apt-get install -y curl \\',
      '    && curl -fsSL https://example.org/x.sh | sh \\',
      '    && mkdir /opt/$(uname -m) \\',
      '    && echo done > /done \\',
      '    && chmod +x /usr/local/bin/tool',
    ]);
    expect(c.manifest.dependencies.packages).toEqual(['curl']);
    expect(steps(c)).toEqual([]);
    expect(c.listed).toEqual([
      '4: RUN curl -fsSL https://example.org/x.sh | sh (uses a pipe)',
      '5: RUN mkdir /opt/$(uname -m) (uses command substitution)',
      '6: RUN echo done > /done (uses the redirection >)',
      '7: RUN chmod +x /usr/local/bin/tool (mode "+x" is not converted (only octal modes like 755 are))',
    ]);
  });

  it('lists what it cannot be sure of rather than guess', () => {
    const c = convert([
      'FROM debian:bookworm',
      'RUN mkdir -p $APP_DIR',
      'RUN cp -r /src/* /dst/ && ln /a /b && apt-get install -y foo/bookworm-backports',
      'RUN if [ -f /x ]; then rm /x; fi',
      'RUN useradd -G sudo bob && chown bob: /home/bob',
      'RUN ["/bin/bash", "-c", "echo hi"]',
    ]);
    expect(c.listed).toEqual([
      '2: RUN mkdir -p $APP_DIR ($APP_DIR has no value known here; the base image or the build sets it)',
      '3: RUN cp -r /src/* /dst/ (uses a wildcard (*, ? or [))',
      '3: RUN ln /a /b (hard links are not converted)',
      '3: RUN apt-get install -y foo/bookworm-backports ("foo/bookworm-backports" is not a package "name" or "name=version")',
      '4: RUN if [ -f /x ] (the shell construct "if" is not converted)',
      '4: RUN then rm /x (the shell construct "then" is not converted)',
      '4: RUN fi (the shell construct "fi" is not converted)',
      '5: RUN useradd -G sudo bob (option -G is not converted)',
      '5: RUN chown bob: /home/bob ("bob:" (the user\'s login group) is not converted; name the group)',
      '6: RUN ["/bin/bash", "-c", "echo hi"] ("/bin/bash" has no build-step equivalent)',
    ]);
  });

  it('uses ENV values in RUN, and lists commands run as another user', () => {
    const c = convert([
      'FROM debian:bookworm',
      'ENV APP=/opt/app',
      'RUN mkdir -p $APP/logs',
      'USER nobody',
      'RUN mkdir /tmp/x && apt-get update',
      'USER root',
      'RUN mkdir /y',
    ]);
    expect(steps(c)).toEqual([
      { action: 'mkdir', path: '/opt/app/logs', mode: '0755' },
      { action: 'mkdir', path: '/y', mode: '0755' },
    ]);
    expect(c.listed).toEqual([
      '5: RUN mkdir /tmp/x (runs as user "nobody", and build steps run as root)',
    ]);
  });

  it('lists RUN options, heredocs, SHELL and ONBUILD', () => {
    const c = convert([
      'FROM debian:bookworm',
      'RUN --mount=type=cache,target=/var/cache/apt apt-get install -y git',
      'RUN <<EOF',
      'set -e',
      'echo hi',
      'EOF',
      'COPY <<EOF /etc/motd',
      'hello',
      'EOF',
      'SHELL ["/bin/bash", "-c"]',
      'ONBUILD RUN make',
    ]);
    expect(c.manifest.dependencies.packages).toEqual(['git']);
    expect(c.listed).toEqual([
      '2: RUN --mount=type=cache,target=/var/cache/apt (--mount is not converted; the steps run without it)',
      '3: RUN <<EOF (heredocs are not converted)',
      '7: COPY <<EOF /etc/motd (heredocs are not converted)',
      '10: SHELL ["/bin/bash", "-c"] (a manifest has no shell)',
      '11: ONBUILD RUN make (triggers for later builds are not converted)',
    ]);
  });
});

describe('convertDockerfile: COPY and ADD', () => {
  it('copies from the context, resolving destinations against WORKDIR', () => {
    const c = convert([
      'FROM debian:bookworm',
      'COPY nginx.conf /etc/nginx/nginx.conf',
      'COPY ./site/ /var/www/html',
      'WORKDIR /app',
      'COPY . .',
      'COPY --chmod=0755 bin/run.sh a.txt ./bin/',
      'COPY --chown=www-data:www-data --link ["my file.txt", "/data/"]',
    ]);
    expect(steps(c)).toEqual([
      { action: 'copy', src: 'nginx.conf', dest: '/etc/nginx/nginx.conf', from: 'context' },
      { action: 'copy', src: 'site', dest: '/var/www/html', from: 'context' },
      { action: 'copy', src: '.', dest: '/app', from: 'context' },
      { action: 'copy', src: 'bin/run.sh', dest: '/app/bin/', from: 'context', mode: '0755' },
      { action: 'copy', src: 'a.txt', dest: '/app/bin/', from: 'context', mode: '0755' },
      { action: 'copy', src: 'my file.txt', dest: '/data/', from: 'context' },
      {
        action: 'chown',
        path: '/data/my file.txt',
        user: 'www-data',
        group: 'www-data',
        recursive: true,
      },
    ]);
    expect(c.manifest.runtime.workdir).toBe('/app');
    expect(c.listed).toEqual([]);
  });

  it('turns ADD of a local archive into copy + extract, and other ADDs into copies', () => {
    const c = convert([
      'FROM scratch',
      'ADD rootfs.tar.xz /',
      'ADD app.tgz /opt/app/',
      'ADD notes.zip /docs/',
    ]);
    expect(steps(c)).toEqual([
      { action: 'copy', src: 'rootfs.tar.xz', dest: '/', from: 'context' },
      {
        action: 'extract',
        archive: '/rootfs.tar.xz',
        dest: '/',
        stripComponents: 0,
        removeArchive: true,
      },
      { action: 'copy', src: 'app.tgz', dest: '/opt/app/', from: 'context' },
      {
        action: 'extract',
        archive: '/opt/app/app.tgz',
        dest: '/opt/app',
        stripComponents: 0,
        removeArchive: true,
      },
      { action: 'copy', src: 'notes.zip', dest: '/docs/', from: 'context' },
    ]);
    expect(c.listed).toEqual([]);
  });

  it('turns ADD <url> into a fetch step with a placeholder hash, listed', () => {
    const c = convert([
      'FROM debian:bookworm',
      'ADD https://wordpress.org/wordpress-6.4.2.tar.gz /tmp/',
      `ADD --checksum=sha256:${'b'.repeat(64)} https://example.org/tool /usr/local/bin/tool`,
    ]);
    expect(c.text).toContain(
      '{ action = "fetch", url = "https://wordpress.org/wordpress-6.4.2.tar.gz", dest = "/tmp/wordpress-6.4.2.tar.gz", hash = "sha256:..." }',
    );
    expect(steps(c)[1]).toMatchObject({
      action: 'fetch',
      dest: '/usr/local/bin/tool',
      hash: `sha256:${'b'.repeat(64)}`,
    });
    expect(c.listed).toEqual([
      '2: ADD https://wordpress.org/wordpress-6.4.2.tar.gz /tmp/ (fill in the hash: the fetch step has the placeholder "sha256:...")',
    ]);
    const check = parseManifest(c.text, { source: 'app.ctp' });
    expect(check.diagnostics.map((d) => `${d.code} ${d.path}`)).toEqual([
      'MANIFEST_HASH $.build.steps[0].hash',
    ]);
  });

  it('adds the composer package for COPY --from=composer and lists other images', () => {
    const c = convert([
      'FROM debian:bookworm',
      'COPY --from=composer /usr/bin/composer /usr/bin/composer',
      'COPY --from=docker.io/library/composer:2.7 /usr/bin/composer /usr/bin/composer',
      'COPY --from=golang:1.22 /usr/local/go /usr/local/go',
    ]);
    expect(c.manifest.dependencies.packages).toEqual(['composer']);
    expect(steps(c)).toEqual([]);
    expect(c.listed).toEqual([
      '3: COPY --from=docker.io/library/composer:2.7 /usr/bin/composer /usr/bin/composer (Debian bookworm has Composer 2.5 (2.7 requested))',
      '4: COPY --from=golang:1.22 /usr/local/go /usr/local/go (copies from the image "golang:1.22")',
    ]);
  });

  it('lists wildcards, sources outside the context and unsupported forms', () => {
    const c = convert([
      'FROM debian:bookworm',
      'COPY *.php config.ini /var/www/',
      'COPY ../secret /x',
      'ADD --exclude=*.md docs /docs',
      'ADD https://github.com/acme/app.git#v1 /src',
      'ADD data.tar.bz2 /data/',
      'COPY onlyone',
    ]);
    expect(steps(c)).toEqual([
      { action: 'copy', src: 'config.ini', dest: '/var/www/', from: 'context' },
    ]);
    expect(c.listed).toEqual([
      '2: COPY *.php /var/www/ (wildcards are not converted; name the files)',
      '3: COPY ../secret /x (the source is outside the build context)',
      '4: ADD --exclude=*.md docs /docs (--exclude is not converted)',
      '5: ADD https://github.com/acme/app.git#v1 /src (git sources are not converted)',
      '6: ADD data.tar.bz2 /data/ (ADD unpacks this archive, and only tar, tar.gz and tar.xz are converted)',
      '7: COPY onlyone (expected sources and a destination)',
    ]);
  });
});

describe('convertDockerfile: runtime settings', () => {
  it('maps ENV in both forms, and lists values it cannot resolve', () => {
    const c = convert([
      'FROM debian:bookworm',
      'ENV A=1 B="two words"',
      'ENV C=${A}x',
      'ENV LEGACY some value here',
      "ENV LITERAL='${NOT_EXPANDED}' D=$A",
      'ENV PATH=/opt/bin:$PATH',
      'ENV E=$PATH',
    ]);
    expect(c.manifest.runtime.environment).toEqual({
      A: '1',
      B: 'two words',
      C: '1x',
      LEGACY: 'some value here',
      LITERAL: '$${NOT_EXPANDED}',
      D: '1',
    });
    expect(c.text).toContain('LITERAL = "$${NOT_EXPANDED}"');
    expect(c.listed).toEqual([
      '6: ENV PATH=/opt/bin:$PATH ($PATH has no value known here; the base image or the build sets it)',
      '7: ENV E=$PATH ($PATH has no value known here; the base image or the build sets it)',
    ]);
  });

  it('sees, within one ENV, the values from before it (as Docker does)', () => {
    const c = convert(['FROM debian', 'ENV X=old', 'ENV X=new Y=$X']);
    expect(c.manifest.runtime.environment).toEqual({ X: 'new', Y: 'old' });
  });

  it('resolves relative WORKDIRs and maps USER, EXPOSE, VOLUME, LABEL, STOPSIGNAL', () => {
    const c = convert([
      'FROM debian:bookworm',
      'WORKDIR /srv',
      'WORKDIR app/../web',
      'USER www-data:www-data',
      'EXPOSE 80 443/tcp 53/udp 53',
      'VOLUME /data',
      'VOLUME ["/var/log/app", "/data"]',
      'LABEL org.opencontainers.image.title="My app" "com.example.key"=value',
      'LABEL legacy label value',
      'STOPSIGNAL 3',
    ]);
    const rt = c.manifest.runtime;
    expect(rt.workdir).toBe('/srv/web');
    expect([rt.user, rt.group]).toEqual(['www-data', 'www-data']);
    expect(rt.ports).toEqual({
      'port-80': { internal: 80, protocol: 'tcp' },
      'port-443': { internal: 443, protocol: 'tcp' },
      'port-53': { internal: 53, protocol: 'udp' },
      'port-53-tcp': { internal: 53, protocol: 'tcp' },
    });
    expect(c.listed).toEqual([]);
    expect(rt.volumes).toEqual({
      'vol-1': { mount: '/data', type: 'persistent', readonly: false },
      'vol-2': { mount: '/var/log/app', type: 'persistent', readonly: false },
    });
    expect(rt.labels).toEqual({
      'org.opencontainers.image.title': 'My app',
      'com.example.key': 'value',
      legacy: 'label value',
    });
    expect(rt.stopSignal).toBe('SIGQUIT');
  });

  it('maps CMD and ENTRYPOINT in exec form, and lists the shell form', () => {
    const c = convert([
      'FROM debian:bookworm',
      'ENTRYPOINT ["/docker-entrypoint.sh"]',
      'CMD ["nginx", "-g", "daemon off;"]',
    ]);
    expect(c.manifest.runtime.entrypoint).toEqual(['/docker-entrypoint.sh']);
    expect(c.manifest.runtime.command).toEqual(['nginx', '-g', 'daemon off;']);
    expect(c.listed).toEqual([]);
    const shell = convert([
      'FROM debian:bookworm',
      'CMD echo "hello $USER"',
      'ENTRYPOINT exec app',
    ]);
    expect(shell.manifest.runtime.command).toEqual(['/bin/sh', '-c', 'echo "hello $USER"']);
    expect(shell.manifest.runtime.entrypoint).toEqual(['/bin/sh', '-c', 'exec app']);
    expect(shell.listed).toEqual([
      '2: CMD echo "hello $USER" (shell form: converted to ["/bin/sh", "-c", …], which needs a shell)',
      '3: ENTRYPOINT exec app (shell form: converted to ["/bin/sh", "-c", …], which needs a shell)',
    ]);
  });

  it('maps HEALTHCHECK CMD with its options', () => {
    const c = convert([
      'FROM debian:bookworm',
      'HEALTHCHECK --interval=1m30s --timeout=5s --start-period=0s --retries=5 CMD ["curl", "-f", "http://localhost/"]',
    ]);
    expect(c.manifest.runtime.healthcheck).toEqual({
      command: ['curl', '-f', 'http://localhost/'],
      interval: '1m30s',
      timeout: '5s',
      startPeriod: '0s',
      retries: 5,
    });
    const shell = convert([
      'FROM debian:bookworm',
      'HEALTHCHECK --interval=1.5s --start-interval=1s CMD curl -f http://localhost/ || exit 1',
    ]);
    expect(shell.manifest.runtime.healthcheck?.command).toEqual([
      '/bin/sh',
      '-c',
      'curl -f http://localhost/ || exit 1',
    ]);
    expect(shell.listed).toEqual([
      '2: HEALTHCHECK --interval=1.5s --start-interval=1s CMD curl -f http://localhost/ || exit 1 (shell form: converted to ["/bin/sh", "-c", …], which needs a shell)',
      '2: HEALTHCHECK --interval=1.5s (not a duration like 30s or 1m30s)',
      '2: HEALTHCHECK --start-interval=1s (--start-interval is not converted)',
    ]);
    const none = convert(['FROM debian', 'HEALTHCHECK CMD ["true"]', 'HEALTHCHECK NONE']);
    expect(none.manifest.runtime.healthcheck).toBeUndefined();
  });

  it('lists settings it cannot express', () => {
    const c = convert([
      'FROM debian:bookworm',
      'USER $APP_USER',
      'WORKDIR relative',
      'EXPOSE 8000-8010 132/sctp',
      'LABEL org.verified-container.policy=x',
      'STOPSIGNAL SIGNOPE',
      'MAINTAINER someone',
      'FROBNICATE now',
      'ENV 1BAD=x',
    ]);
    expect(c.listed).toEqual([
      '2: USER $APP_USER ($APP_USER has no value known here; the base image or the build sets it)',
      '4: EXPOSE 8000-8010 ("8000-8010" is not a port (ranges are not converted))',
      '4: EXPOSE 132/sctp (protocol sctp is not converted (tcp and udp are))',
      '5: LABEL org.verified-container.policy=x (the prefix org.verified-container. is reserved for the toolchain)',
      '6: STOPSIGNAL SIGNOPE ("SIGNOPE" is not a Linux signal)',
      '7: MAINTAINER someone (deprecated; set [metadata] maintainer by hand)',
      '8: FROBNICATE now (unknown instruction FROBNICATE)',
      '9: ENV 1BAD=x ("1BAD" is not a variable name [A-Za-z_][A-Za-z0-9_]*)',
    ]);
    // WORKDIR relative resolves against the default /; the USER could not be resolved.
    expect(c.manifest.runtime.workdir).toBe('/relative');
    expect(c.manifest.runtime.user).toBeUndefined();
  });

  it('lists paths relative to a WORKDIR it could not resolve', () => {
    const c = convert([
      'FROM debian:bookworm',
      'WORKDIR $HOME',
      'COPY app.py .',
      'RUN mkdir logs && mkdir /abs',
    ]);
    expect(steps(c)).toEqual([{ action: 'mkdir', path: '/abs', mode: '0755' }]);
    expect(c.listed).toEqual([
      '2: WORKDIR $HOME ($HOME has no value known here; the base image or the build sets it)',
      '3: COPY app.py . (the destination is relative to a WORKDIR that is not known)',
      '4: RUN mkdir logs ("logs" is relative to a WORKDIR that is not known)',
    ]);
    expect(c.manifest.runtime.workdir).toBe('/');
  });
});

describe('convertDockerfile: output', () => {
  it('escapes every string it writes', () => {
    const c = convert([
      'FROM debian:bookworm',
      'LABEL quote="say \\"hi\\"" backslash="C:\\\\dir" unicode="grüße ☃"',
      'ENV TAB="a\tb"',
      'CMD ["printf", "line\\n\\u0001\\\\"]',
    ]);
    expect(c.manifest.runtime.labels).toEqual({
      quote: 'say "hi"',
      backslash: 'C:\\dir',
      unicode: 'grüße ☃',
    });
    expect(c.manifest.runtime.environment).toEqual({ TAB: 'a\tb' });
    expect(c.manifest.runtime.command).toEqual(['printf', 'line\n\u0001\\']);
  });

  it('puts every listed item on top as a comment, in the stderr form', () => {
    const dockerfile = 'FROM debian:bookworm\nARG X=1\nSHELL ["/bin/bash", "-c"]\n';
    const result = convertDockerfile(parseDockerfile(dockerfile), {
      name: 'app',
      version: '1.0.0',
      source: 'docker/Dockerfile',
    });
    const lines = result.notConverted.map((n) => formatNotConverted('docker/Dockerfile', n));
    expect(lines).toEqual([
      'docker/Dockerfile:2: not converted: ARG X=1 (a manifest has no build arguments; its default "1" is used)',
      'docker/Dockerfile:3: not converted: SHELL ["/bin/bash", "-c"] (a manifest has no shell)',
    ]);
    expect(result.manifestText.split('\n').slice(0, 4)).toEqual([
      '# Converted from docker/Dockerfile by `cerro-torre convert-dockerfile`.',
      '# Not converted (edit by hand):',
      ...lines.map((l) => `# ${l}`),
    ]);
  });

  it('shortens long instructions in the list', () => {
    const c = convert(['FROM debian', `RUN curl ${'x'.repeat(300)} | sh`]);
    expect(c.listed[0]?.length).toBeLessThan(200);
    expect(c.listed[0]).toMatch(/… \(uses a pipe\)$/);
  });

  it('honours the escape directive', () => {
    const c = convert(['# escape=`', 'FROM debian', 'ENV A="x`"y" `', '  B=C:\\dir']);
    expect(c.manifest.runtime.environment).toEqual({ A: 'x"y', B: 'C:\\dir' });
    expect(c.listed).toEqual([]);
  });
});

describe('convertDockerfile: a realistic Dockerfile', () => {
  it('converts what it can and lists the rest with their lines', () => {
    const dockerfile = readFileSync(new URL('wordpress-app/Dockerfile', FIXTURES), 'utf8');
    const c = convert(dockerfile);
    expect(c.manifest.base.image).toBe('cerro-torre/debian:bookworm-slim');
    expect(c.manifest.dependencies.packages).toEqual(['php8.2-fpm', 'curl', 'unzip', 'libzip-dev']);
    expect(c.listed).toEqual([
      '2: ARG PHP_VERSION=8.2 (a manifest has no build arguments; its default "8.2" is used)',
      '3: FROM composer:2 AS vendor (build stage "vendor", lines 3-6, is not converted: only the last stage becomes the image)',
      '11: ENV PATH=/usr/local/bin:$PATH ($PATH has no value known here; the base image or the build sets it)',
      '20: RUN docker-php-ext-install zip pdo_mysql ("docker-php-ext-install" has no build-step equivalent)',
      '25: COPY --from=vendor /app/vendor ./vendor (copies from the build stage "vendor", which is not converted)',
      '26: ADD https://wordpress.org/wordpress-6.4.2.tar.gz /tmp/ (fill in the hash: the fetch step has the placeholder "sha256:...")',
      '28: RUN --mount=type=cache,target=/root/.composer (--mount is not converted; the steps run without it)',
      '33: RUN curl -fsSL https://example.org/install.sh | sh (uses a pipe)',
      '34: RUN <<EOF (heredocs are not converted)',
      '37: SHELL ["/bin/bash", "-o", "pipefail", "-c"] (a manifest has no shell)',
      '38: ONBUILD RUN echo later (triggers for later builds are not converted)',
      '40: RUN mkdir -p /var/www/app/tmp (runs as user "app", and build steps run as root)',
      '46: CMD php-fpm -F (shell form: converted to ["/bin/sh", "-c", …], which needs a shell)',
    ]);
    expect(c.manifest.build.steps.map((s) => s.action)).toEqual([
      'group',
      'user',
      'copy',
      'chown',
      'fetch',
      'copy',
      'extract',
      'composer-require',
      'mkdir',
      'mkdir',
      'chown',
      'chmod',
      'symlink',
    ]);
    expect(c.manifest.runtime).toMatchObject({
      entrypoint: ['docker-php-entrypoint'],
      workdir: '/var/www/app',
      user: 'app',
      group: 'app',
      stopSignal: 'SIGQUIT',
      environment: { APP_HOME: '/var/www/app' },
      healthcheck: { command: ['php-fpm-healthcheck'], retries: 3 },
    });
  });
});

describe('convertDockerfile: any input', () => {
  // Fragments that exercise every instruction, flag and quoting path, glued at random.
  const FRAGMENTS = [
    ...['FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'USER', 'EXPOSE', 'CMD'],
    ...['ENTRYPOINT', 'VOLUME', 'HEALTHCHECK', 'LABEL', 'STOPSIGNAL'],
    ...['debian', 'php:8.2-fpm', 'nginx:1.25', 'scratch', 'AS', '--from=composer', '--chown=a:b'],
    ...['--chmod=755', '--mount=type=cache', 'apt-get', 'install', '-y', 'update', '&&', ';', '|'],
    ...['mkdir', '-p', 'chown', '-R', 'chmod', 'ln', '-sf', 'useradd', 'groupadd', '-u', '1000'],
    ...['composer', 'require', 'a/b:^1', '/', '.', '..', './', '/a/', 'a', '$X', '${Y:-d}', 'X=1'],
    ...['"q q"', "'s'", '\\', '`', '*.php', 'app.tar.gz', 'https://e.org/f.tgz', 'http://', '80'],
    ...['53/udp', '70000', '["a","b"]', '[]', '[', 'NONE', '--interval=5s', 'SIGTERM', '9', ':g'],
    ...['u:', '#', '<<EOF', 'EOF', '\n', '\t', '=', 'Ü', '\u0000', '\u0001', '"', '$', '${', '}'],
    ...['+x', 'a=b=c', 'org.verified-container.x=1', '/tmp//x', '/a/../..', '~', '$(id)', '{a,b}'],
  ];

  it('never throws, and its output always loads (placeholder hashes aside)', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 1500; round++) {
      const lines = Array.from({ length: 1 + random(8) }, () =>
        [
          FRAGMENTS[random(15)],
          ...Array.from({ length: random(6) }, () => FRAGMENTS[random(FRAGMENTS.length)]),
        ].join(random(10) === 0 ? '' : ' '),
      );
      const dockerfile =
        (random(5) > 0 ? 'FROM debian\n' : '') + lines.join(random(10) === 0 ? ' \\\n' : '\n');
      const result = convertDockerfile(parseDockerfile(dockerfile), { name: 'app', version: '1' });
      const errors = parseManifest(result.manifestText, { source: 'app.ctp' }).diagnostics.filter(
        (d) => d.severity === 'error' && d.message !== 'placeholder hash "sha256:..."',
      );
      expect({ dockerfile, errors }).toEqual({ dockerfile, errors: [] });
    }
  });
});
