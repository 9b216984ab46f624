import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect } from "node:net";
import { startBackground } from "../../sync/runner/proc";
import { ROOT_ENV, run, sleep, waitUntil } from "./proc";

export const BRIDGE = "prabr0";
export const BRIDGE_ADDRESS = "10.231.7.1";
const PREFIX = 24;

export interface HostNet {
  name: "primary" | "standby";
  /** Network namespace name, fixed so that a crashed run can be found and cleaned up. */
  netns: string;
  /** Root-namespace end of the veth pair, enslaved to the bridge. */
  veth: string;
  address: string;
}

export const HOST_NETS: readonly HostNet[] = [
  { name: "primary", netns: "pra-lab-primary", veth: "prav-primary", address: "10.231.7.10" },
  { name: "standby", netns: "pra-lab-standby", veth: "prav-standby", address: "10.231.7.20" },
];

export async function createNetwork(): Promise<void> {
  await run(["ip", "link", "add", BRIDGE, "type", "bridge"]);
  await run(["ip", "addr", "add", `${BRIDGE_ADDRESS}/${PREFIX}`, "dev", BRIDGE]);
  await run(["ip", "link", "set", BRIDGE, "up"]);
  for (const h of HOST_NETS) {
    await run(["ip", "netns", "add", h.netns]);
    await run(["ip", "link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.netns]);
    await run(["ip", "link", "set", h.veth, "master", BRIDGE, "up"]);
    await run(["ip", "-n", h.netns, "addr", "add", `${h.address}/${PREFIX}`, "dev", "eth0"]);
    await run(["ip", "-n", h.netns, "link", "set", "eth0", "up"]);
    await run(["ip", "-n", h.netns, "link", "set", "lo", "up"]);
  }
}

/** Removes whatever a lab (this one or a crashed one) left: processes, namespaces, links. Missing pieces are fine. */
export async function destroyNetwork(extraPids: number[] = []): Promise<void> {
  const mntNamespaces = new Set<string>();
  for (const pid of extraPids) {
    const ns = nsOf(pid, "mnt");
    if (ns) mntNamespaces.add(ns);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = new Set<number>(extraPids.filter(isRunning));
    for (const h of HOST_NETS) for (const pid of await netnsPids(h.netns)) pids.add(pid);
    // A process that left the network namespace but kept the mount one would keep the overlays alive.
    if (mntNamespaces.size > 0)
      for (const pid of allPids()) if (mntNamespaces.has(nsOf(pid, "mnt") ?? "")) pids.add(pid);
    pids.delete(process.pid);
    if (pids.size === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
    await sleep(50);
  }
  for (const h of HOST_NETS) {
    if (existsSync(`/run/netns/${h.netns}`)) await run(["ip", "netns", "del", h.netns], { allowFail: true });
    await run(["ip", "link", "del", h.veth], { allowFail: true });
  }
  await run(["ip", "link", "del", BRIDGE], { allowFail: true });
}

async function netnsPids(netns: string): Promise<number[]> {
  if (!existsSync(`/run/netns/${netns}`)) return [];
  const r = await run(["ip", "netns", "pids", netns], { allowFail: true });
  return r.stdout
    .split("\n")
    .map((s) => Number.parseInt(s, 10))
    .filter((n) => Number.isInteger(n) && n > 0);
}

export function allPids(): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map((e) => Number.parseInt(e, 10));
}

export function nsOf(pid: number, kind: "mnt" | "net"): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0+$/, "").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/** False for a zombie too: the machine's init reaps the daemons the lab kills, possibly a little later. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Top-level directories each host sees as a copy-on-write copy of the machine's. */
export const OVERLAID_DIRS = ["etc", "var", "usr", "opt", "root", "home"] as const;

/**
 * Builds the host's private view of the machine, then sleeps forever so that the namespaces outlive the
 * commands that enter them. Overlays give every host its own /etc, /var, ... (the product may write
 * anywhere: a file it writes on one host must not show up on the other); the data directories are plain
 * bind mounts so that renames and O_DIRECT behave as on a real disk; /run is a fresh tmpfs as after a boot.
 * /tmp comes last: the lab directory itself lives under /tmp.
 */
const HOLDER_SCRIPT = `
set -euo pipefail
L=$1
NAME=$2
hostname "$NAME"
for d in ${OVERLAID_DIRS.join(" ")}; do
  mount -t overlay "pra-lab-$d" -o "lowerdir=/$d,upperdir=$L/upper/$d,workdir=$L/work/$d" "/$d"
done
mount --bind "$L/www" /var/www
mount --bind "$L/mysql" /var/lib/mysql
mount --bind "$L/srv" /srv
if [ -d "$L/volume" ]; then
  mkdir -p /srv/pra
  mount --bind "$L/volume" /srv/pra
fi
# sudo and Apache look their own host name up.
printf '127.0.1.1\t%s\n' "$NAME" >>/etc/hosts
mount -t tmpfs -o mode=0755,nosuid,nodev "pra-lab-run" /run
install -d -m 1777 /run/lock
install -d -m 0755 /run/sshd
install -d -m 0755 -o mysql -g mysql /run/mysqld
# The machine's own /tmp stays reachable under /run/pra-host-tmp (a checkout under /tmp, for the tests
# that run the product "on the primary" itself).
install -d -m 0755 /run/pra-host-tmp
mount --bind /tmp /run/pra-host-tmp
mount --bind "$L/tmp" /tmp
echo ready
exec -a "pra-lab-holder-$NAME" sleep infinity
`;

/** Starts the process that owns a host's mount and UTS namespaces; returns its pid. */
export async function startHolder(net: HostNet, hostDir: string): Promise<number> {
  let said = "";
  const holder = startBackground(
    [
      "ip",
      "netns",
      "exec",
      net.netns,
      "unshare",
      "--mount",
      "--uts",
      "--propagation",
      "private",
      "--",
      "bash",
      "-c",
      HOLDER_SCRIPT,
      "pra-lab-holder",
      hostDir,
      net.name,
    ],
    { env: ROOT_ENV, cwd: "/", onStdout: (chunk) => (said += chunk) },
  );
  const pid = holder.pid;
  if (pid === undefined) {
    await holder.exited; // rejects with the reason
    throw new Error(`could not start the ${net.name} namespace holder`);
  }
  await waitUntil(
    async () => {
      if (!holder.running) {
        const ended = await holder.exited;
        throw new Error(`${net.name} namespace holder died (exit code ${ended.code}): ${ended.stderr}`);
      }
      return said.includes("ready");
    },
    15_000,
    `the ${net.name} namespaces`,
  );
  // It lives until the lab stops (found again by namespace), and must not keep the test runner alive
  // if a test forgets stop().
  holder.disown();
  return pid;
}

/** Waits until a TCP port of a lab address accepts connections, as seen from the root namespace. */
export function waitForTcp(address: string, port: number, timeoutMs: number): Promise<void> {
  return waitUntil(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host: address, port, timeout: 1000 });
        const done = (ok: boolean) => {
          socket.destroy();
          resolve(ok);
        };
        socket.once("connect", () => done(true));
        socket.once("error", () => done(false));
        socket.once("timeout", () => done(false));
      }),
    timeoutMs,
    `${address}:${port}`,
  );
}
