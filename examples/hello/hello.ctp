# hello: the smallest verified image: busybox printing a greeting.
# SPDX-License-Identifier: Apache-2.0

[package]
name = "hello"
version = "1.0.0"
description = "A busybox image that prints a greeting"

[metadata]
license = "Apache-2.0"
maintainer = "Verified Container maintainers <maintainers@verified-container.org>"

[base]
image = "cerro-torre/debian:bookworm-slim"

[dependencies]
packages = ["busybox"]

[runtime]
command = ["/bin/busybox", "echo", "hello from a verified container"]

[security.capabilities]
drop = ["ALL"]

[security.readonly-root]
enabled = true

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
