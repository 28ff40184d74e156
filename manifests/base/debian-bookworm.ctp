# cerro-torre/debian:bookworm: Debian's minbase (Priority: required + apt), built from Debian packages.
# SPDX-License-Identifier: Apache-2.0

[package]
name = "cerro-torre/debian"
version = "bookworm"
description = "Debian 12 (bookworm) minbase: the required packages and apt"

[metadata]
license = "NOASSERTION"
maintainer = "Verified Container maintainers <maintainers@verified-container.org>"

[base]
image = "scratch"

[dependencies]
suite = "bookworm"
install = "configure"
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

[runtime]
command = ["/bin/bash"]
