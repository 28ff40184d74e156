// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { runSteps } from './run-steps.js';
import { addFile, EPOCH, parseSteps, stepsFixture } from './test-support.js';

const BASE_PASSWD =
  'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
const BASE_GROUP = 'root:x:0:\ndaemon:x:1:\n';

async function debianLike(f: ReturnType<typeof stepsFixture>, shadow = true) {
  await addFile(f.rootfs, '/etc/passwd', BASE_PASSWD);
  await addFile(f.rootfs, '/etc/group', BASE_GROUP);
  if (shadow) {
    await addFile(f.rootfs, '/etc/shadow', 'root:*:19000:0:99999:7:::\n', { mode: 0o640, gid: 42 });
    await addFile(f.rootfs, '/etc/gshadow', 'root:*::\n', { mode: 0o640, gid: 42 });
  }
}

describe('user', () => {
  it('allocates the first free uid (1000+, or 100+ for system) and a group with gid = uid', async () => {
    using f = stepsFixture();
    await debianLike(f);
    await runSteps(
      parseSteps(`
[[build.steps]]
action = "user"
name = "app"
[[build.steps]]
action = "user"
name = "svc"
system = true
home = "/var/lib/svc"
shell = "/bin/false"`),
      f.ctx,
    );
    const passwd = await f.rootfs.readText('/etc/passwd');
    expect(passwd).toBe(
      `${BASE_PASSWD}app:x:1000:1000::/nonexistent:/usr/sbin/nologin\nsvc:x:100:100::/var/lib/svc:/bin/false\n`,
    );
    expect(await f.rootfs.readText('/etc/group')).toBe(`${BASE_GROUP}app:x:1000:\nsvc:x:100:\n`);
    const day = Math.floor(EPOCH / 86400);
    expect(await f.rootfs.readText('/etc/shadow')).toBe(
      `root:*:19000:0:99999:7:::\napp:*:${day}:0:99999:7:::\nsvc:*:${day}:0:99999:7:::\n`,
    );
    expect(await f.rootfs.readText('/etc/gshadow')).toBe('root:*::\napp:!::\nsvc:!::\n');
    // The shadow files keep their mode and owner.
    expect(f.rootfs.get('/etc/shadow')).toMatchObject({ mode: 0o640, gid: 42 });
    expect(f.rootfs.lookup('/var/lib/svc')).toBeUndefined();
  });

  it('skips used ids; the group gets another gid when gid = uid is taken; an existing group is reused', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/etc/passwd', `${BASE_PASSWD}a:x:1000:1000::/:/bin/sh\n`);
    await addFile(f.rootfs, '/etc/group', `${BASE_GROUP}a:x:1000:\nb:x:1001:\nwww-data:x:33:\n`);
    await runSteps(
      parseSteps(`
[[build.steps]]
action = "user"
name = "c"
[[build.steps]]
action = "user"
name = "web"
uid = 2000
group = "www-data"`),
      f.ctx,
    );
    const passwd = await f.rootfs.readText('/etc/passwd');
    expect(passwd).toContain('c:x:1001:1002::/nonexistent:/usr/sbin/nologin\n');
    expect(passwd).toContain('web:x:2000:33::');
    expect(await f.rootfs.readText('/etc/group')).toContain('c:x:1002:\n');
    // No /etc/shadow in this rootfs: none is created.
    expect(f.rootfs.lookup('/etc/shadow')).toBeUndefined();
  });

  it('same name and uid is a no-op; same name with another uid, or a taken uid, fails', async () => {
    using f = stepsFixture();
    await debianLike(f);
    const before = f.rootfs.get('/etc/passwd');
    await runSteps(parseSteps(`[[build.steps]]\naction = "user"\nname = "daemon"\nuid = 1`), f.ctx);
    await runSteps(parseSteps(`[[build.steps]]\naction = "user"\nname = "daemon"`), f.ctx);
    expect(f.rootfs.get('/etc/passwd')).toEqual(before);
    await expect(
      runSteps(parseSteps(`[[build.steps]]\naction = "user"\nname = "daemon"\nuid = 5`), f.ctx),
    ).rejects.toMatchObject({ code: 'BUILD_STEP_FAILED', message: /already exists with uid 1/ });
    await expect(
      runSteps(parseSteps(`[[build.steps]]\naction = "user"\nname = "other"\nuid = 0`), f.ctx),
    ).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /uid 0 is already used by user root/,
    });
  });

  it('creates /etc/passwd and /etc/group when missing, and the home with create-home', async () => {
    using f = stepsFixture();
    await runSteps(
      parseSteps(
        `[[build.steps]]\naction = "user"\nname = "app"\nuid = 1500\nhome = "/home/app"\ncreate-home = true`,
      ),
      f.ctx,
    );
    expect(await f.rootfs.readText('/etc/passwd')).toBe(
      'app:x:1500:1500::/home/app:/usr/sbin/nologin\n',
    );
    expect(f.rootfs.get('/etc/passwd')).toMatchObject({ mode: 0o644, uid: 0, gid: 0 });
    expect(await f.rootfs.readText('/etc/group')).toBe('app:x:1500:\n');
    expect(f.rootfs.get('/home/app')).toMatchObject({
      type: 'd',
      uid: 1500,
      gid: 1500,
      mode: 0o755,
    });
    expect(f.rootfs.get('/home')).toMatchObject({ uid: 0, gid: 0 });
  });
});

describe('group', () => {
  it('allocates gids in the system or regular range, with members, in gshadow when present', async () => {
    using f = stepsFixture();
    await debianLike(f);
    await runSteps(
      parseSteps(`
[[build.steps]]
action = "group"
name = "admins"
members = ["root", "daemon"]
[[build.steps]]
action = "group"
name = "svc"
system = true
[[build.steps]]
action = "group"
name = "fixed"
gid = 4242`),
      f.ctx,
    );
    expect(await f.rootfs.readText('/etc/group')).toBe(
      `${BASE_GROUP}admins:x:1000:root,daemon\nsvc:x:100:\nfixed:x:4242:\n`,
    );
    expect(await f.rootfs.readText('/etc/gshadow')).toBe(
      'root:*::\nadmins:!::root,daemon\nsvc:!::\nfixed:!::\n',
    );
  });

  it('an existing group gains missing members; another gid or a taken gid fails', async () => {
    using f = stepsFixture();
    await debianLike(f);
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "group"\nname = "daemon"\nmembers = ["root"]`),
      f.ctx,
    );
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "group"\nname = "daemon"\ngid = 1\nmembers = ["root"]`),
      f.ctx,
    );
    expect(await f.rootfs.readText('/etc/group')).toBe('root:x:0:\ndaemon:x:1:root\n');
    await expect(
      runSteps(parseSteps(`[[build.steps]]\naction = "group"\nname = "daemon"\ngid = 7`), f.ctx),
    ).rejects.toMatchObject({ code: 'BUILD_STEP_FAILED', message: /already exists with gid 1/ });
    await expect(
      runSteps(parseSteps(`[[build.steps]]\naction = "group"\nname = "new"\ngid = 0`), f.ctx),
    ).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /gid 0 is already used by group root/,
    });
  });
});
