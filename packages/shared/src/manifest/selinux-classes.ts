// SPDX-License-Identifier: Apache-2.0
// Object classes and permissions of the Linux reference policy (SELinuxProject/refpolicy
// policy/flask/access_vectors, kernel classes plus the systemd/D-Bus userspace ones), the list a
// `custom-policy` is checked against (01 §2.3). X server and database classes are left out.

const COMMON_FILE =
  'ioctl read write create getattr setattr lock relabelfrom relabelto append map unlink link rename ' +
  'execute swapon quotaon mounton audit_access open execmod watch watch_mount watch_sb ' +
  'watch_with_perm watch_reads';
const COMMON_SOCKET =
  'ioctl read write create getattr setattr lock relabelfrom relabelto append map bind connect listen ' +
  'accept getopt setopt shutdown recvfrom sendto recv_msg send_msg name_bind';
const COMMON_IPC = 'create destroy getattr setattr read write associate unix_read unix_write';
const COMMON_CAP =
  'chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap linux_immutable ' +
  'net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio ' +
  'sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time ' +
  'sys_tty_config mknod lease audit_write audit_control setfcap';
const COMMON_CAP2 =
  'mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf checkpoint_restore';

const FILE_LIKE = `${COMMON_FILE} execute_no_trans entrypoint`;
const NETLINK_NLMSG = `${COMMON_SOCKET} nlmsg_read nlmsg_write`;

/** Class → its permissions (common ones included), space-separated. */
const CLASSES: Readonly<Record<string, string>> = {
  // Files and file systems.
  filesystem:
    'mount remount unmount getattr relabelfrom relabelto transition associate quotamod quotaget watch',
  dir: `${COMMON_FILE} add_name remove_name reparent search rmdir`,
  file: FILE_LIKE,
  lnk_file: COMMON_FILE,
  chr_file: FILE_LIKE,
  blk_file: COMMON_FILE,
  sock_file: COMMON_FILE,
  fifo_file: COMMON_FILE,
  anon_inode: COMMON_FILE,
  fd: 'use',
  // Sockets and networking.
  socket: COMMON_SOCKET,
  tcp_socket: `${COMMON_SOCKET} node_bind name_connect connectto newconn acceptfrom`,
  udp_socket: `${COMMON_SOCKET} node_bind`,
  rawip_socket: `${COMMON_SOCKET} node_bind`,
  sctp_socket: `${COMMON_SOCKET} node_bind name_connect association`,
  icmp_socket: `${COMMON_SOCKET} node_bind`,
  dccp_socket: `${COMMON_SOCKET} node_bind name_connect`,
  unix_stream_socket: `${COMMON_SOCKET} connectto newconn acceptfrom`,
  unix_dgram_socket: COMMON_SOCKET,
  packet_socket: COMMON_SOCKET,
  key_socket: COMMON_SOCKET,
  tun_socket: `${COMMON_SOCKET} attach_queue`,
  netlink_socket: COMMON_SOCKET,
  netlink_route_socket: NETLINK_NLMSG,
  netlink_firewall_socket: NETLINK_NLMSG,
  netlink_tcpdiag_socket: NETLINK_NLMSG,
  netlink_xfrm_socket: NETLINK_NLMSG,
  netlink_ip6fw_socket: NETLINK_NLMSG,
  netlink_audit_socket: `${NETLINK_NLMSG} nlmsg_relay nlmsg_readpriv nlmsg_tty_audit`,
  netlink_nflog_socket: COMMON_SOCKET,
  netlink_selinux_socket: COMMON_SOCKET,
  netlink_dnrt_socket: COMMON_SOCKET,
  netlink_kobject_uevent_socket: COMMON_SOCKET,
  netlink_iscsi_socket: COMMON_SOCKET,
  netlink_fib_lookup_socket: COMMON_SOCKET,
  netlink_connector_socket: COMMON_SOCKET,
  netlink_netfilter_socket: COMMON_SOCKET,
  netlink_generic_socket: COMMON_SOCKET,
  netlink_scsitransport_socket: COMMON_SOCKET,
  netlink_rdma_socket: COMMON_SOCKET,
  netlink_crypto_socket: COMMON_SOCKET,
  appletalk_socket: COMMON_SOCKET,
  alg_socket: COMMON_SOCKET,
  vsock_socket: COMMON_SOCKET,
  xdp_socket: COMMON_SOCKET,
  mctp_socket: COMMON_SOCKET,
  bluetooth_socket: COMMON_SOCKET,
  can_socket: COMMON_SOCKET,
  node: 'recvfrom sendto',
  netif: 'ingress egress',
  peer: 'recv',
  packet: 'send recv relabelto forward_in forward_out',
  association: 'sendto recvfrom setcontext polmatch',
  // Processes, IPC, keys.
  process:
    'fork transition sigchld sigkill sigstop signull signal ptrace getsched setsched getsession ' +
    'getpgid setpgid getcap setcap share getattr setexec setfscreate noatsecure siginh setrlimit ' +
    'rlimitinh dyntransition setcurrent execmem execstack execheap setkeycreate setsockcreate getrlimit',
  process2: 'nnp_transition nosuid_transition',
  ipc: COMMON_IPC,
  sem: COMMON_IPC,
  msgq: `${COMMON_IPC} enqueue`,
  msg: 'send receive',
  shm: `${COMMON_IPC} lock`,
  key: 'view read write search link setattr create',
  capability: COMMON_CAP,
  capability2: COMMON_CAP2,
  cap_userns: COMMON_CAP,
  cap2_userns: COMMON_CAP2,
  user_namespace: 'create',
  // Kernel services.
  security:
    'compute_av compute_create compute_member check_context load_policy compute_relabel ' +
    'compute_user setenforce setbool setsecparam setcheckreqprot read_policy validate_trans',
  system:
    'ipc_info syslog_read syslog_mod syslog_console module_request module_load halt reboot status ' +
    'start stop enable disable reload',
  kernel_service: 'use_as_override create_files_as',
  memprotect: 'mmap_zero',
  bpf: 'map_create map_read map_write prog_load prog_run',
  perf_event: 'open cpu kernel tracepoint read write',
  lockdown: 'integrity confidentiality',
  io_uring: 'override_creds sqpoll cmd',
  binder: 'impersonate call set_context_mgr transfer',
  // Userspace object managers found on servers.
  dbus: 'acquire_svc send_msg',
  service: 'start stop status reload enable disable',
  passwd: 'passwd chfn chsh rootok crontab',
};

const TABLE: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(CLASSES).map(([name, perms]) => [name, new Set(perms.split(' '))]),
);

/** Class names the builder ships, sorted. */
export const SELINUX_CLASSES: readonly string[] = [...TABLE.keys()].sort();

export function isSelinuxClass(name: string): boolean {
  return TABLE.has(name);
}

/** Permissions of a class (undefined for an unknown class). */
export function selinuxPermissions(className: string): ReadonlySet<string> | undefined {
  return TABLE.get(className);
}
