# cerro-torre/nginx: Debian's nginx as the front end of the guide's stack (php-fpm behind it on php:9000).
# The version is what Debian bookworm really ships (1.22); the guide's name `cerro-torre/nginx:1.25`
# (00 §3) is an extra tag. The SBOM records the exact package version.
# SPDX-License-Identifier: Apache-2.0

[package]
name = "cerro-torre/nginx"
version = "1.22"
description = "nginx web server and FastCGI proxy (Debian bookworm package), logging to stdout/stderr"

[metadata]
homepage = "https://nginx.org/"
license = "BSD-2-Clause"
maintainer = "Verified Container maintainers <maintainers@verified-container.org>"
category = "web"
tags = ["nginx", "http", "fastcgi"]

[base]
image = "cerro-torre/debian:bookworm-slim"

[dependencies]
# nginx pulls nginx-common, iproute2 and its libraries; www-data comes from the base (base-passwd).
packages = ["nginx"]

[build]
steps = [
    # Debian's sites-enabled/default is not included by the config below: server blocks go in conf.d/.
    { action = "mkdir", path = "/var/www/html", mode = "0755" },
    { action = "write-file", path = "/etc/nginx/nginx.conf", mode = "0644", content = """
# nginx.conf of cerro-torre/nginx. Logs go to the container's stdout/stderr; PHP goes to php-fpm on
# php:9000 (the name must resolve when nginx starts). Replace this file with a bind mount, or add
# server blocks in /etc/nginx/conf.d/*.conf.
user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /dev/stderr warn;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    server_tokens off;
    client_max_body_size 64m;

    include /etc/nginx/conf.d/*.conf;

    server {
        listen 80 default_server;
        server_name _;
        root /var/www/html;
        index index.php index.html;

        location / {
            try_files $uri $uri/ /index.php?$args;
        }

        # The PHP files live in the php-fpm container, so nginx does not check that they exist here.
        location ~ [^/]\\.php(/|$) {
            fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param PATH_INFO $fastcgi_path_info;
            fastcgi_pass php:9000;
        }
    }
}
""" },
]

[runtime]
command = ["/usr/sbin/nginx", "-g", "daemon off;"]
# nginx stops gracefully on SIGQUIT (SIGTERM is a fast shutdown).
stop-signal = "SIGQUIT"

[runtime.ports]
http = { internal = 80, protocol = "tcp" }

[security.capabilities]
# The master binds :80 as root and switches its workers to www-data; it chowns its temp directories.
drop = ["ALL"]
add = ["NET_BIND_SERVICE", "CHOWN", "SETUID", "SETGID"]

[security.readonly-root]
enabled = true
exceptions = ["/var/lib/nginx", "/run", "/var/log/nginx", "/tmp"]

[export.oci]
tags = ["1.25"]

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
