// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../crypto/index.js';
import { canonicalize } from '../json/index.js';
import { parseManifest, type Manifest } from '../manifest/index.js';
import {
  buildImageLabels,
  ociImageLabels,
  runtimeProfileFromManifest,
  securityProfileFromManifest,
} from './labels.js';

const POLICY = 'allow container_web_t self:tcp_socket { create bind listen accept };\n';

const FULL = `
[package]
name = "php-aegis-wordpress"
version = "6.4.2"
description = "WordPress with php-aegis"

[metadata]
homepage = "https://example.org/aegis"
license = "GPL-2.0-or-later"
maintainer = "Jane Doe <jane@example.org>"
source = "github:hyperpolymath/php-aegis"

[runtime.volumes]
data = { mount = "/var/www/html/wp-content" }
cache = { mount = "/var/cache/app", type = "tmpfs", size = "64m", readonly = false }

[runtime.ports]
http = { internal = 9000, external = 9000, protocol = "tcp" }
dns = { internal = 53, protocol = "udp" }

[runtime.healthcheck]
command = ["php", "-r", "echo 'healthy';"]
timeout = "3s"

[runtime.labels]
"com.example.team" = "web"
"org.opencontainers.image.vendor" = "Example"

[security.selinux]
type = "container_web_t"
categories = ["c1", "c0"]
custom-policy = """
${POLICY}"""

[security.capabilities]
drop = ["ALL"]
add = ["SETUID", "chown", "CAP_SETGID", "NET_BIND_SERVICE"]

[security.readonly-root]
enabled = true
exceptions = ["/var/ratelimit", "/tmp"]

[security.network]
egress-allow = [
  { host = "api.wordpress.org", port = 443, protocol = "https" },
  { pattern = "*.indieweb.org", port = 443 },
  { cidr = "10.0.0.0/8", port = 53, protocol = "udp" },
]
ingress-allow = [{ port = 9000, source = "container:nginx" }]
`;

function manifest(text: string): Manifest {
  const result = parseManifest(text, { source: 'test.ctp' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (result.manifest === undefined) throw new Error(JSON.stringify(errors));
  return result.manifest;
}

const MINIMAL = '[package]\nname = "hello"\nversion = "1.0.0"\n';

describe('security profile (02 §2)', () => {
  it('is the normalised [security] section, as JCS', () => {
    const m = manifest(FULL);
    expect(m.security.selinux.customPolicy).toBe(POLICY);
    expect(canonicalize(securityProfileFromManifest(m))).toBe(
      '{"capabilities":{"add":["CAP_CHOWN","CAP_NET_BIND_SERVICE","CAP_SETGID","CAP_SETUID"],' +
        '"drop":["ALL"],"effective":["CAP_CHOWN","CAP_NET_BIND_SERVICE","CAP_SETGID","CAP_SETUID"]},' +
        '"network":{"egressAllow":[{"host":"api.wordpress.org","port":443,"protocol":"https"},' +
        '{"pattern":"*.indieweb.org","port":443,"protocol":"tcp"},' +
        '{"cidr":"10.0.0.0/8","port":53,"protocol":"udp"}],' +
        '"ingressAllow":[{"port":9000,"protocol":"tcp","source":"container:nginx"}]},' +
        '"readonlyRoot":{"enabled":true,"exceptions":["/var/ratelimit","/tmp"]},' +
        `"selinux":{"categories":["c0","c1"],"customPolicySha256":"${sha256Hex(POLICY)}",` +
        '"level":"s0:c0,c1","type":"container_web_t"}}',
    );
  });

  it('has the defaults for a manifest without [security]', () => {
    expect(securityProfileFromManifest(manifest(MINIMAL))).toEqual({
      selinux: {},
      capabilities: {
        drop: [],
        add: [],
        effective: [
          'CAP_CHOWN',
          'CAP_DAC_OVERRIDE',
          'CAP_FOWNER',
          'CAP_FSETID',
          'CAP_KILL',
          'CAP_NET_BIND_SERVICE',
          'CAP_SETFCAP',
          'CAP_SETGID',
          'CAP_SETPCAP',
          'CAP_SETUID',
          'CAP_SYS_CHROOT',
        ],
      },
      readonlyRoot: { enabled: false, exceptions: [] },
      network: { egressAllow: [], ingressAllow: [] },
    });
  });
});

describe('runtime profile (02 §2)', () => {
  it('is the normalised volumes, ports and healthcheck, as JCS', () => {
    expect(canonicalize(runtimeProfileFromManifest(manifest(FULL)))).toBe(
      '{"healthcheck":{"command":["php","-r","echo \'healthy\';"],"interval":"30s","retries":3,' +
        '"startPeriod":"0s","timeout":"3s"},' +
        '"ports":{"dns":{"internal":53,"protocol":"udp"},"http":{"external":9000,"internal":9000,"protocol":"tcp"}},' +
        '"volumes":{"cache":{"mount":"/var/cache/app","readonly":false,"size":"64m","type":"tmpfs"},' +
        '"data":{"mount":"/var/www/html/wp-content","readonly":false,"type":"persistent"}}}',
    );
  });

  it('is empty for a manifest without them', () => {
    expect(canonicalize(runtimeProfileFromManifest(manifest(MINIMAL)))).toBe(
      '{"ports":{},"volumes":{}}',
    );
  });
});

describe('image labels (02 §2)', () => {
  it('writes the org.opencontainers.image labels the manifest has', () => {
    expect(ociImageLabels(manifest(FULL), 1700000000)).toEqual({
      'org.opencontainers.image.title': 'php-aegis-wordpress',
      'org.opencontainers.image.version': '6.4.2',
      'org.opencontainers.image.description': 'WordPress with php-aegis',
      'org.opencontainers.image.url': 'https://example.org/aegis',
      'org.opencontainers.image.source': 'https://github.com/hyperpolymath/php-aegis',
      'org.opencontainers.image.licenses': 'GPL-2.0-or-later',
      'org.opencontainers.image.authors': 'Jane Doe <jane@example.org>',
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
    });
    expect(ociImageLabels(manifest(MINIMAL), 0)).toEqual({
      'org.opencontainers.image.title': 'hello',
      'org.opencontainers.image.version': '1.0.0',
      'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
    });
  });

  it('layers base labels, [runtime.labels], OCI labels and the profile; later ones win', () => {
    const m = manifest(FULL);
    const labels = buildImageLabels({
      manifest: m,
      sourceDateEpoch: 0,
      baseLabels: {
        'org.opencontainers.image.vendor': 'Debian',
        'org.opencontainers.image.title': 'debian',
        'com.example.base': 'yes',
        'org.verified-container.selinux.module': 'vc_base',
      },
      selinuxModule: { name: 'vc_php_aegis_wordpress', policySha256: 'a'.repeat(64) },
    });
    expect(labels).toEqual({
      'com.example.base': 'yes',
      'com.example.team': 'web',
      'org.opencontainers.image.vendor': 'Example',
      ...ociImageLabels(m, 0),
      'org.verified-container.security': canonicalize(securityProfileFromManifest(m)),
      'org.verified-container.runtime': canonicalize(runtimeProfileFromManifest(m)),
      'org.verified-container.selinux.module': 'vc_php_aegis_wordpress',
      'org.verified-container.selinux.policy.sha256': 'a'.repeat(64),
    });
  });

  it('drops the base module labels when this image has no module', () => {
    const labels = buildImageLabels({
      manifest: manifest(MINIMAL),
      sourceDateEpoch: 0,
      baseLabels: { 'org.verified-container.selinux.module': 'vc_base' },
    });
    expect(Object.keys(labels).filter((k) => k.startsWith('org.verified-container.'))).toEqual([
      'org.verified-container.security',
      'org.verified-container.runtime',
    ]);
  });

  it('gives the provenance and the label the same security JSON', () => {
    const m = manifest(FULL);
    const labels = buildImageLabels({ manifest: m, sourceDateEpoch: 0 });
    expect(JSON.parse(labels['org.verified-container.security'] ?? '')).toEqual(
      securityProfileFromManifest(m),
    );
  });
});
