// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_APT_KEYRING,
  aptRootKey,
  lockSourcesOf,
  mirrorKindOfPocket,
  poolUrl,
  renderSourcesList,
  resolveAptSources,
} from './apt-sources.js';

describe('apt sources', () => {
  it('defaults to deb.debian.org and the Debian archive keyring', () => {
    const s = resolveAptSources({ suite: 'bookworm', architecture: 'amd64' }, {});
    expect(s).toEqual({
      suite: 'bookworm',
      architecture: 'amd64',
      components: ['main'],
      mirrors: {
        debian: 'http://deb.debian.org/debian',
        'debian-security': 'http://deb.debian.org/debian-security',
      },
      keyring: DEFAULT_APT_KEYRING,
    });
    expect(renderSourcesList(s)).toBe(
      [
        'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
        'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main',
        'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main',
        '',
      ].join('\n'),
    );
  });

  it('takes options over CT_APT_* over defaults', () => {
    const env = {
      CT_APT_MIRROR: 'http://mirror.example/debian/',
      CT_APT_SECURITY_MIRROR: 'http://sec.example/debian-security',
      CT_APT_KEYRING: '/etc/keys/debian.gpg',
    };
    const fromEnv = resolveAptSources(
      { suite: 'trixie', architecture: 'arm64', components: ['main', 'contrib'] },
      env,
    );
    expect(fromEnv.mirrors.debian).toBe('http://mirror.example/debian');
    expect(fromEnv.keyring).toBe('/etc/keys/debian.gpg');
    const explicit = resolveAptSources(
      { suite: 'trixie', architecture: 'arm64', mirror: 'https://other/debian' },
      env,
    );
    expect(explicit.mirrors.debian).toBe('https://other/debian');
    expect(explicit.mirrors['debian-security']).toBe('http://sec.example/debian-security');
  });

  it('refuses values that would change a sources.list line', () => {
    for (const bad of [
      { mirror: 'http://x/debian ] trusted=yes' },
      { mirror: 'ftp://x/debian' },
      { keyring: 'relative.gpg' },
      { suite: 'Bookworm' },
      { components: ['main', 'x y'] },
    ]) {
      expect(() =>
        resolveAptSources({ suite: 'bookworm', architecture: 'amd64', ...bad }, {}),
      ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });

  it('keys the apt root by everything that changes the package universe', () => {
    const a = resolveAptSources({ suite: 'bookworm', architecture: 'amd64' }, {});
    const b = resolveAptSources({ suite: 'bookworm', architecture: 'arm64' }, {});
    const c = resolveAptSources(
      { suite: 'bookworm', architecture: 'amd64', components: ['main', 'contrib'] },
      {},
    );
    const d = resolveAptSources(
      { suite: 'bookworm', architecture: 'amd64', securityMirror: 'http://s/x' },
      {},
    );
    const keys = new Set([a, b, c, d].map(aptRootKey));
    expect(keys.size).toBe(4);
    expect(aptRootKey(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(aptRootKey(a)).toBe(
      aptRootKey(resolveAptSources({ suite: 'bookworm', architecture: 'amd64' }, {})),
    );
  });

  it('maps pockets to mirrors symbolically', () => {
    expect(
      lockSourcesOf({ suite: 'bookworm', components: ['main'] }).map((s) => [s.pocket, s.mirror]),
    ).toEqual([
      ['bookworm', 'debian'],
      ['bookworm-updates', 'debian'],
      ['bookworm-security', 'debian-security'],
    ]);
    expect(mirrorKindOfPocket('bookworm-security')).toBe('debian-security');
    const mirrors = { debian: 'http://m/debian', 'debian-security': 'http://m/sec' };
    expect(poolUrl(mirrors, 'bookworm-security', 'pool/updates/main/c/x.deb')).toBe(
      'http://m/sec/pool/updates/main/c/x.deb',
    );
    expect(poolUrl(mirrors, 'bookworm-updates', 'pool/main/t/tzdata.deb')).toBe(
      'http://m/debian/pool/main/t/tzdata.deb',
    );
  });
});
