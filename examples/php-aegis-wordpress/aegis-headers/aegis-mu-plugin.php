<?php
/**
 * Plugin Name: Aegis security headers
 * Description: Sends conservative security headers on every response.
 * SPDX-License-Identifier: Apache-2.0
 */
if (getenv('AEGIS_ENABLE_SECURITY_HEADERS') !== 'false') {
    add_action('send_headers', function () {
        header('X-Content-Type-Options: nosniff');
        header('X-Frame-Options: SAMEORIGIN');
        header('Referrer-Policy: strict-origin-when-cross-origin');
        header("Content-Security-Policy: frame-ancestors 'self'");
    });
}
