import { existsSync } from "node:fs";
import { isRunning } from "../../lab/netns";
import { run, sleep } from "../../lab/proc";
import { EXTERNAL_IF } from "./firewall";

/**
 * The cloud's networks, in two namespaces of their own (fixed names, so a crashed run is found and cleaned):
 * `pra-cloud` is the network node and hypervisor (the guests' taps, NAT, security groups), `pra-cloud-outside`
 * the internet an admin comes from, on the external network the floating IPs belong to. Nothing is added
 * to the machine's own namespace.
 */
export const CLOUD_NETNS = "pra-cloud";
export const OUTSIDE_NETNS = "pra-cloud-outside";

export interface CloudNetPlan {
  /** Gateway of the tenant network (on every tap, proxy-ARPed). */
  tenantGateway: string;
  /** The cloud's address on the external network (/24), and the outside's addresses on it. */
  externalGateway: string;
  outsideAddresses: string[];
  prefix: number;
}

export async function createCloudNet(plan: CloudNetPlan): Promise<void> {
  await run(["ip", "netns", "add", CLOUD_NETNS]);
  await run(["ip", "netns", "add", OUTSIDE_NETNS]);
  const inCloud = ["ip", "-n", CLOUD_NETNS];
  const outside = ["ip", "-n", OUTSIDE_NETNS];
  await run([...inCloud, "link", "add", EXTERNAL_IF, "type", "veth", "peer", "name", "eth0", "netns", OUTSIDE_NETNS]);
  await run([...inCloud, "addr", "add", `${plan.externalGateway}/${plan.prefix}`, "dev", EXTERNAL_IF]);
  for (const ns of [inCloud, outside]) await run([...ns, "link", "set", "lo", "up"]);
  await run([...inCloud, "link", "set", EXTERNAL_IF, "up"]);
  for (const a of plan.outsideAddresses) await run([...outside, "addr", "add", `${a}/${plan.prefix}`, "dev", "eth0"]);
  await run([...outside, "link", "set", "eth0", "up"]);
  // Per-namespace settings: the machine's own forwarding is untouched.
  await inNetns(CLOUD_NETNS, ["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.proxy_arp=1"]);
}

/** Adds a guest's tap (persistent, so a stopped guest keeps its port) routed to its fixed IP. */
export async function addTap(tap: string, fixedIp: string, gateway: string): Promise<void> {
  await run(["ip", "-n", CLOUD_NETNS, "tuntap", "add", "dev", tap, "mode", "tap", "vnet_hdr"]);
  await run(["ip", "-n", CLOUD_NETNS, "addr", "add", `${gateway}/32`, "dev", tap]);
  await run(["ip", "-n", CLOUD_NETNS, "link", "set", tap, "up"]);
  await run(["ip", "-n", CLOUD_NETNS, "route", "add", `${fixedIp}/32`, "dev", tap]);
  await inNetns(CLOUD_NETNS, ["sysctl", "-qw", `net.ipv4.conf.${tap}.proxy_arp=1`]);
}

export async function removeTap(tap: string): Promise<void> {
  await run(["ip", "-n", CLOUD_NETNS, "link", "del", tap], { allowFail: true });
}

/** A floating IP answers on the external network only while associated. */
export async function setFloatingAddress(address: string, present: boolean): Promise<void> {
  await run(["ip", "-n", CLOUD_NETNS, "addr", present ? "replace" : "del", `${address}/32`, "dev", EXTERNAL_IF], {
    allowFail: !present,
  });
}

export async function applyRuleset(ruleset: string): Promise<void> {
  await inNetns(CLOUD_NETNS, ["nft", "-f", "-"], ruleset);
}

export function inNetns(netns: string, argv: string[], input?: string) {
  return run(["ip", "netns", "exec", netns, ...argv], { input, label: argv[0] });
}

/** Kills whatever runs in the cloud's namespaces (guests of a crashed run too) and removes them. */
export async function destroyCloudNet(): Promise<void> {
  for (const ns of [CLOUD_NETNS, OUTSIDE_NETNS]) {
    if (!existsSync(`/run/netns/${ns}`)) continue;
    for (let attempt = 0; attempt < 100; attempt++) {
      const pids = (await run(["ip", "netns", "pids", ns], { allowFail: true })).stdout
        .split("\n")
        .map((s) => Number.parseInt(s, 10))
        .filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid && isRunning(n));
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone meanwhile.
        }
      }
      await sleep(50);
    }
    await run(["ip", "netns", "del", ns], { allowFail: true });
  }
}
