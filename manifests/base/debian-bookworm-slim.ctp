# cerro-torre/debian:bookworm-slim: the bookworm minbase without documentation, man pages and locales.
# SPDX-License-Identifier: Apache-2.0

[package]
name = "cerro-torre/debian"
version = "bookworm-slim"
description = "Debian 12 (bookworm) minbase without documentation, man pages and locales"

[metadata]
license = "NOASSERTION"
maintainer = "Verified Container maintainers <maintainers@verified-container.org>"

[base]
image = "scratch"

[dependencies]
suite = "bookworm"
install = "configure"
path-exclude = [
    "/usr/share/doc/*",
    "/usr/share/man/*",
    "/usr/share/info/*",
    "/usr/share/locale/*",
    "/usr/share/lintian/*",
    "/usr/share/groff/*",
]
path-include = ["/usr/share/doc/*/copyright"]
packages = [
    "apt",
    "base-files",
    "base-passwd",
    "bash",
    "bsdutils",
    "coreutils",
    "dash",
    "debconf",
    "debianutils",
    "diffutils",
    "dpkg",
    "e2fsprogs",
    "findutils",
    "grep",
    "gzip",
    "hostname",
    "init-system-helpers",
    "libc-bin",
    "libpam-modules",
    "libpam-modules-bin",
    "libpam-runtime",
    "login",
    "mawk",
    "mount",
    "ncurses-base",
    "ncurses-bin",
    "passwd",
    "perl-base",
    "sed",
    "sysvinit-utils",
    "tar",
    "tzdata",
    "util-linux",
]

[build]
# The same rules for packages installed later on top of this base (01 §4, §5.3).
steps = [
    { action = "write-file", path = "/etc/dpkg/dpkg.cfg.d/excludes", mode = "0644", content = "path-exclude=/usr/share/doc/*\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/info/*\npath-exclude=/usr/share/locale/*\npath-exclude=/usr/share/lintian/*\npath-exclude=/usr/share/groff/*\npath-include=/usr/share/doc/*/copyright\n" },
]

[runtime]
command = ["/bin/bash"]
