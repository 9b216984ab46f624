import { BRIDGE, HOST_NETS } from "../../lab/netns";
import { run } from "../../lab/proc";
import { DEFAULT_EXTERNAL } from "../cloud";
import { inNetns, OUTSIDE_NETNS } from "./cloudNet";

/** The outside's address on the lab's bridge. */
export const OUTSIDE_LAB_ADDRESS = "10.231.7.30";
const ROOT_END = "prav-cloud";

/**
 * Puts the lab's primary and the stand-in cloud's outside on one internet: a veth from the outside
 * namespace into the lab's bridge, a route on the primary to the external network through it, and
 * masquerading there, so the primary's rsync reaches the floating IP as from the admin address (the only
 * one the security group lets SSH in from), as a primary behind its own NAT would. Removed with the
 * namespaces (the veth dies with `pra-cloud-outside`).
 */
export async function linkLabToCloud(): Promise<void> {
  const primary = HOST_NETS.find((h) => h.name === "primary");
  if (!primary) throw new Error("the lab has no primary");
  await run(["ip", "link", "add", ROOT_END, "type", "veth", "peer", "name", "lab0", "netns", OUTSIDE_NETNS]);
  await run(["ip", "link", "set", ROOT_END, "master", BRIDGE, "up"]);
  await run(["ip", "-n", OUTSIDE_NETNS, "addr", "add", `${OUTSIDE_LAB_ADDRESS}/24`, "dev", "lab0"]);
  await run(["ip", "-n", OUTSIDE_NETNS, "link", "set", "lab0", "up"]);
  await inNetns(OUTSIDE_NETNS, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  await inNetns(
    OUTSIDE_NETNS,
    ["nft", "-f", "-"],
    `table ip pra_outside_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "eth0" ip saddr 10.231.7.0/24 masquerade
  }
}
`,
  );
  await run(["ip", "-n", primary.netns, "route", "replace", DEFAULT_EXTERNAL.cidr, "via", OUTSIDE_LAB_ADDRESS]);
}

/** Removes the link early (the namespaces' removal would do it too). */
export async function unlinkLabFromCloud(): Promise<void> {
  await run(["ip", "link", "del", ROOT_END], { allowFail: true });
}
