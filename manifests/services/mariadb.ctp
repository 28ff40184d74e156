# cerro-torre/mariadb: Debian's MariaDB server, run as mysql with its data on a volume.
# The version is what Debian bookworm really ships (10.11); the guide's name `cerro-torre/mariadb:11.2`
# (00 §3) is an extra tag. The SBOM records the exact package version.
# A small entrypoint script initialises an empty /var/lib/mysql on the first start (root@localhost
# by unix socket) and applies the guide's MARIADB_ROOT_PASSWORD, MARIADB_DATABASE, MARIADB_USER and
# MARIADB_PASSWORD once, then execs mariadbd, so the running process is mariadbd itself.
# SPDX-License-Identifier: Apache-2.0

[package]
name = "cerro-torre/mariadb"
version = "10.11"
description = "MariaDB database server (Debian bookworm package), logging to stderr"

[metadata]
homepage = "https://mariadb.org/"
license = "GPL-2.0-only"
maintainer = "Verified Container maintainers <maintainers@verified-container.org>"
category = "database"
tags = ["mariadb", "mysql", "sql"]

[base]
image = "cerro-torre/debian:bookworm-slim"

[dependencies]
# mariadb-server's preinst creates the mysql user and group.
packages = ["mariadb-server"]

[build]
steps = [
    # Socket and pid file; with a read-only root this becomes a tmpfs with the same owner and mode.
    { action = "mkdir", path = "/run/mysqld", mode = "0755" },
    { action = "chown", path = "/run/mysqld", user = "mysql", group = "mysql" },
    { action = "chown", path = "/var/lib/mysql", user = "mysql", group = "mysql", recursive = true },
    { action = "mkdir", path = "/usr/local/bin", mode = "0755" },
    { action = "write-file", path = "/usr/local/bin/cerro-mariadb-entrypoint", mode = "0755", content = '''
#!/bin/sh
# Entrypoint of cerro-torre/mariadb. For mariadbd only: initialises an empty data directory, and on
# the first start applies MARIADB_ROOT_PASSWORD, MARIADB_DATABASE, MARIADB_USER and MARIADB_PASSWORD
# through --init-file; then replaces itself with the command. Any other command runs unchanged.
set -eu
datadir=/var/lib/mysql
marker="$datadir/.cerro-torre-initialised"
case "${1:-}" in
*/mariadbd | mariadbd) ;;
*) exec "$@" ;;
esac
if [ ! -d "$datadir/mysql" ]; then
    echo "cerro-torre/mariadb: initialising $datadir" >&2
    mariadb-install-db --datadir="$datadir" --cross-bootstrap --skip-test-db --skip-name-resolve \
        --disable-log-bin --auth-root-authentication-method=socket >&2
fi
if [ ! -e "$marker" ]; then
    # SQL string literal and identifier quoting.
    str() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g"; }
    ident() { printf '%s' "$1" | sed -e 's/`/``/g'; }
    umask 077
    init=/run/mysqld/init.sql
    : >"$init"
    if [ -n "${MARIADB_ROOT_PASSWORD:-}" ]; then
        echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('$(str "$MARIADB_ROOT_PASSWORD")');" >>"$init"
    fi
    if [ -n "${MARIADB_DATABASE:-}" ]; then
        echo "CREATE DATABASE IF NOT EXISTS \`$(ident "$MARIADB_DATABASE")\`;" >>"$init"
    fi
    if [ -n "${MARIADB_USER:-}" ] && [ -n "${MARIADB_PASSWORD:-}" ]; then
        echo "CREATE USER IF NOT EXISTS '$(str "$MARIADB_USER")'@'%' IDENTIFIED BY '$(str "$MARIADB_PASSWORD")';" >>"$init"
        if [ -n "${MARIADB_DATABASE:-}" ]; then
            echo "GRANT ALL ON \`$(ident "$MARIADB_DATABASE")\`.* TO '$(str "$MARIADB_USER")'@'%';" >>"$init"
        fi
    fi
    : >"$marker"
    set -- "$@" "--init-file=$init"
fi
exec "$@"
''' },
]

[runtime]
entrypoint = ["/usr/local/bin/cerro-mariadb-entrypoint"]
# Flags override Debian's 50-server.cnf (bind-address 127.0.0.1); no log-error option, so the log is stderr.
command = [
    "/usr/sbin/mariadbd",
    "--datadir=/var/lib/mysql",
    "--socket=/run/mysqld/mysqld.sock",
    "--pid-file=/run/mysqld/mysqld.pid",
    "--tmpdir=/tmp",
    "--bind-address=0.0.0.0",
    "--port=3306",
    "--skip-name-resolve",
    "--skip-log-bin",
]
user = "mysql"
group = "mysql"

[runtime.volumes]
data = { mount = "/var/lib/mysql", type = "persistent" }

[runtime.ports]
mysql = { internal = 3306, protocol = "tcp" }

[runtime.healthcheck]
# `mariadb-admin ping` exits 0 whenever the server answers, even with "access denied".
command = ["/usr/bin/mariadb-admin", "--socket=/run/mysqld/mysqld.sock", "ping", "--silent"]
interval = "10s"
timeout = "5s"
start-period = "30s"
retries = 3

[security.capabilities]
# mariadbd runs as mysql from the start and needs no capability.
drop = ["ALL"]

[security.readonly-root]
enabled = true
exceptions = ["/run/mysqld", "/tmp"]

[export.oci]
tags = ["11.2"]

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
