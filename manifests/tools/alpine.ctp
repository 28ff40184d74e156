# cerro-torre/alpine: the guide's small tools image (busybox sh, GNU tar, gzip), built from Debian packages.
# The name is the guide's (00 §3); there is no Alpine Linux in it. Used for one-off jobs such as
# backing up a volume with `tar czf`, so its profile keeps what `tar x` needs to restore ownership.
# SPDX-License-Identifier: Apache-2.0

[package]
name = "cerro-torre/alpine"
version = "1.35"
description = "Small tools image: busybox sh and applets, GNU tar and gzip (Debian bookworm packages)"

[metadata]
license = "NOASSERTION"
maintainer = "Verified Container maintainers <maintainers@verified-container.org>"
category = "tools"
tags = ["busybox", "tar", "gzip", "tools"]

[base]
image = "scratch"

[dependencies]
suite = "bookworm"
# Unpack only: no maintainer script needs to run for these packages, and scratch has no shell to run them.
install = "extract"
# gzip depends on "dpkg | install-info"; naming install-info (libc6 only) keeps dpkg and its five
# compression libraries out of the image.
packages = ["busybox", "tar", "gzip", "install-info"]
# Small image: no documentation, man pages or translations (the -slim rules of 01 §4), licences kept.
path-exclude = [
    "/usr/share/doc/*",
    "/usr/share/man/*",
    "/usr/share/info/*",
    "/usr/share/locale/*",
    "/usr/share/lintian/*",
    "/usr/share/groff/*",
]
path-include = ["/usr/share/doc/*/copyright"]

[build]
# Debian's busybox installs /bin/busybox only; its applets are links made here. tar and gzip
# (with gunzip/zcat) are the real GNU tools from their packages.
steps = [
    { action = "mkdir", path = "/tmp", mode = "1777" },
    { action = "mkdir", path = "/root", mode = "0700" },
    { action = "mkdir", path = "/usr/bin", mode = "0755" },
    { action = "write-file", path = "/etc/passwd", content = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" },
    { action = "write-file", path = "/etc/group", content = "root:x:0:\nnogroup:x:65534:\n" },
    { action = "symlink", target = "busybox", link = "/bin/sh" },
    { action = "symlink", target = "busybox", link = "/bin/ash" },
    { action = "symlink", target = "busybox", link = "/bin/[" },
    { action = "symlink", target = "busybox", link = "/bin/awk" },
    { action = "symlink", target = "busybox", link = "/bin/basename" },
    { action = "symlink", target = "busybox", link = "/bin/cat" },
    { action = "symlink", target = "busybox", link = "/bin/chgrp" },
    { action = "symlink", target = "busybox", link = "/bin/chmod" },
    { action = "symlink", target = "busybox", link = "/bin/chown" },
    { action = "symlink", target = "busybox", link = "/bin/cp" },
    { action = "symlink", target = "busybox", link = "/bin/cut" },
    { action = "symlink", target = "busybox", link = "/bin/date" },
    { action = "symlink", target = "busybox", link = "/bin/df" },
    { action = "symlink", target = "busybox", link = "/bin/dirname" },
    { action = "symlink", target = "busybox", link = "/bin/du" },
    { action = "symlink", target = "busybox", link = "/bin/echo" },
    { action = "symlink", target = "busybox", link = "/bin/env" },
    { action = "symlink", target = "busybox", link = "/bin/expr" },
    { action = "symlink", target = "busybox", link = "/bin/false" },
    { action = "symlink", target = "busybox", link = "/bin/find" },
    { action = "symlink", target = "busybox", link = "/bin/grep" },
    { action = "symlink", target = "busybox", link = "/bin/head" },
    { action = "symlink", target = "busybox", link = "/bin/hostname" },
    { action = "symlink", target = "busybox", link = "/bin/id" },
    { action = "symlink", target = "busybox", link = "/bin/kill" },
    { action = "symlink", target = "busybox", link = "/bin/ln" },
    { action = "symlink", target = "busybox", link = "/bin/ls" },
    { action = "symlink", target = "busybox", link = "/bin/md5sum" },
    { action = "symlink", target = "busybox", link = "/bin/mkdir" },
    { action = "symlink", target = "busybox", link = "/bin/mktemp" },
    { action = "symlink", target = "busybox", link = "/bin/mv" },
    { action = "symlink", target = "busybox", link = "/bin/printf" },
    { action = "symlink", target = "busybox", link = "/bin/ps" },
    { action = "symlink", target = "busybox", link = "/bin/pwd" },
    { action = "symlink", target = "busybox", link = "/bin/readlink" },
    { action = "symlink", target = "busybox", link = "/bin/realpath" },
    { action = "symlink", target = "busybox", link = "/bin/rm" },
    { action = "symlink", target = "busybox", link = "/bin/rmdir" },
    { action = "symlink", target = "busybox", link = "/bin/sed" },
    { action = "symlink", target = "busybox", link = "/bin/seq" },
    { action = "symlink", target = "busybox", link = "/bin/sha256sum" },
    { action = "symlink", target = "busybox", link = "/bin/sleep" },
    { action = "symlink", target = "busybox", link = "/bin/sort" },
    { action = "symlink", target = "busybox", link = "/bin/stat" },
    { action = "symlink", target = "busybox", link = "/bin/tail" },
    { action = "symlink", target = "busybox", link = "/bin/tee" },
    { action = "symlink", target = "busybox", link = "/bin/test" },
    { action = "symlink", target = "busybox", link = "/bin/touch" },
    { action = "symlink", target = "busybox", link = "/bin/tr" },
    { action = "symlink", target = "busybox", link = "/bin/true" },
    { action = "symlink", target = "busybox", link = "/bin/uname" },
    { action = "symlink", target = "busybox", link = "/bin/uniq" },
    { action = "symlink", target = "busybox", link = "/bin/wc" },
    { action = "symlink", target = "busybox", link = "/bin/xargs" },
    # `#!/usr/bin/env sh` scripts.
    { action = "symlink", target = "/bin/busybox", link = "/usr/bin/env" },
]

[runtime]
command = ["/bin/sh"]
workdir = "/"

[runtime.environment]
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

[export.oci]
# The guide names the image without a tag (`cerro-torre/alpine` = `:latest`); the version is busybox's.
tags = ["latest"]

[security.capabilities]
# 00 §3: tar x restores ownership and modes, which needs these four and nothing else.
drop = ["ALL"]
add = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID"]

[security.readonly-root]
enabled = true
exceptions = ["/tmp"]

[attestations.signing]
algorithm = "ed25519"
threshold = "2-of-3"
keyholders = ["maintainer-1", "maintainer-2", "release-bot"]

[attestations.transparency]
logs = [
    { name = "cerro-torre-log", url = "http://127.0.0.1:8470" },
    { name = "local-file-log", url = "file:logs/local-file-log" },
]
threshold-agreement = "2-of-2"

[verification.required-signatures]
minimum = 2

[verification.transparency-logs]
require-consensus = true
minimum-logs = 2
