// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { SELINUX_CLASSES, selinuxPermissions } from './selinux-classes.js';
import { parsePolicy } from './selinux-policy.js';

describe('parsePolicy', () => {
  it('parses rules, sets and type statements', () => {
    const policy = parsePolicy(
      '# c\nallow a_t { b_t c_t }:{ file dir } { read getattr };\nauditallow a_t self:tcp_socket name_bind;\ndontaudit a_t b_t:process signal;\ntype d_t;\n',
    );
    expect(policy.problems).toEqual([]);
    expect(policy.types).toEqual(['d_t']);
    expect(policy.rules).toEqual([
      {
        kind: 'allow',
        sources: ['a_t'],
        targets: ['b_t', 'c_t'],
        classes: ['file', 'dir'],
        permissions: ['read', 'getattr'],
      },
      {
        kind: 'auditallow',
        sources: ['a_t'],
        targets: ['self'],
        classes: ['tcp_socket'],
        permissions: ['name_bind'],
      },
      {
        kind: 'dontaudit',
        sources: ['a_t'],
        targets: ['b_t'],
        classes: ['process'],
        permissions: ['signal'],
      },
    ]);
  });

  it('collects one problem per bad statement and keeps going', () => {
    const text =
      'allow a b:file { read };\nallow a b:dir frob;\nneverallow a b:file read;\nallow a b file read;\nallow a b:{ } read;\nallow a b:file *;\nallow a b:file read';
    const problems = parsePolicy(text).problems;
    expect(problems.map((p) => p.message)).toEqual([
      'unknown permission "frob" for class dir',
      'unknown statement "neverallow"; expected allow, auditallow, dontaudit or type',
      'expected ":", found "file"',
      'empty { } where a class names were expected',
      'expected a permission, found "*"',
      'expected ";", found the end of the policy',
    ]);
    expect(text.slice(problems[0]!.offset).startsWith('frob')).toBe(true);
    expect(problems[5]?.offset).toBe(text.length);
  });

  it('checks permissions against every class of a set', () => {
    expect(
      parsePolicy('allow a b:{ file tcp_socket } name_connect;').problems.map((p) => p.message),
    ).toEqual(['unknown permission "name_connect" for class file']);
  });
});

describe('reference policy classes', () => {
  it('ships the common kernel classes with inherited permissions', () => {
    for (const cls of [
      'file',
      'dir',
      'lnk_file',
      'chr_file',
      'blk_file',
      'sock_file',
      'fifo_file',
      'filesystem',
      'process',
      'tcp_socket',
      'udp_socket',
      'unix_stream_socket',
      'unix_dgram_socket',
      'netlink_route_socket',
      'capability',
      'capability2',
      'key',
    ]) {
      expect(SELINUX_CLASSES).toContain(cls);
    }
    expect([...(selinuxPermissions('file') ?? [])]).toEqual(
      expect.arrayContaining([
        'read',
        'write',
        'create',
        'getattr',
        'setattr',
        'open',
        'lock',
        'append',
        'unlink',
        'link',
        'rename',
        'execute',
        'map',
        'ioctl',
      ]),
    );
    expect([...(selinuxPermissions('dir') ?? [])]).toEqual(
      expect.arrayContaining(['add_name', 'remove_name', 'search', 'rmdir', 'reparent']),
    );
    expect([...(selinuxPermissions('tcp_socket') ?? [])]).toEqual(
      expect.arrayContaining([
        'create',
        'bind',
        'listen',
        'accept',
        'connect',
        'name_bind',
        'name_connect',
      ]),
    );
    expect(selinuxPermissions('file')?.has('name_connect')).toBe(false);
    expect(selinuxPermissions('capability')?.has('net_bind_service')).toBe(true);
  });
});
