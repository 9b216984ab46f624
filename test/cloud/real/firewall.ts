import type { SecurityGroupRule, Store } from "../store";

/** The cloud's interface towards the outside (the external network floating IPs live on). */
export const EXTERNAL_IF = "ext0";

/** Neutron's tap name for a port: "tap" and the first 11 characters of the port's id. */
export function tapName(portId: string): string {
  return `tap${portId.slice(0, 11)}`;
}

/**
 * The cloud's whole nftables ruleset, rendered from the store, applied atomically (`nft -f`): floating IPs
 * DNATed to their port's fixed IP only while associated, and every bound port's security groups enforced
 * as Neutron does, stateful (replies pass), ingress and egress, anything no rule allows dropped.
 */
export function renderRuleset(store: Store): string {
  const bound = [...store.ports.values()].filter((p) => p.deviceId !== "");
  const associated = [...store.floatingIps.values()]
    .map((f) => ({ fip: f, port: f.portId ? store.ports.get(f.portId) : undefined }))
    .filter((x) => x.port !== undefined);
  const tenant = [...store.networks.values()].filter((n) => !n.external);

  const lines: string[] = ["table inet pra_cloud", "delete table inet pra_cloud", "table inet pra_cloud {"];
  lines.push("  chain prerouting {", "    type nat hook prerouting priority dstnat; policy accept;");
  for (const { fip, port } of associated) lines.push(`    ip daddr ${fip.address} dnat ip to ${port?.fixedIp}`);
  lines.push("  }");
  lines.push("  chain postrouting {", "    type nat hook postrouting priority srcnat; policy accept;");
  for (const { fip, port } of associated)
    lines.push(`    oifname "${EXTERNAL_IF}" ip saddr ${port?.fixedIp} snat ip to ${fip.address}`);
  for (const n of tenant) lines.push(`    oifname "${EXTERNAL_IF}" ip saddr ${n.cidr} masquerade`);
  lines.push("  }");
  lines.push("  chain forward {", "    type filter hook forward priority filter; policy drop;");
  lines.push("    ct state established,related accept", "    ct state invalid drop");
  for (const p of bound) {
    const tap = tapName(p.id);
    lines.push(`    oifname "${tap}" jump in_${chainId(p.id)}`, `    iifname "${tap}" jump out_${chainId(p.id)}`);
  }
  lines.push("  }");
  for (const p of bound) {
    const rules = [...store.securityGroupRules.values()].filter((r) =>
      p.securityGroupIds.includes(r.security_group_id),
    );
    for (const direction of ["ingress", "egress"] as const) {
      lines.push(`  chain ${direction === "ingress" ? "in" : "out"}_${chainId(p.id)} {`);
      for (const r of rules.filter((x) => x.direction === direction)) {
        const match = renderRule(r, store);
        if (match !== undefined) lines.push(`    ${match} accept`);
      }
      lines.push("    drop", "  }");
    }
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function chainId(portId: string): string {
  return portId.replace(/-/g, "").slice(0, 16);
}

/**
 * One security-group rule as an nft match (the remote side is the source for ingress, the destination for
 * egress), or undefined for a rule that can match nothing (a remote group without IPv4 members).
 */
export function renderRule(r: SecurityGroupRule, store: Store): string | undefined {
  const family = r.ethertype === "IPv6" ? "ip6" : "ip";
  const remote = r.direction === "ingress" ? "saddr" : "daddr";
  const parts: string[] = [`meta nfproto ${r.ethertype === "IPv6" ? "ipv6" : "ipv4"}`];
  if (r.remote_ip_prefix) parts.push(`${family} ${remote} ${r.remote_ip_prefix}`);
  else if (r.remote_group_id) {
    const members = [...store.ports.values()].filter((p) => p.securityGroupIds.includes(r.remote_group_id ?? ""));
    if (family === "ip6" || members.length === 0) return undefined;
    parts.push(`ip ${remote} { ${members.map((p) => p.fixedIp).join(", ")} }`);
  }
  const protocol = r.protocol === null || r.protocol === "any" ? null : r.protocol;
  if (protocol !== null) {
    const name = /^\d+$/.test(protocol) ? protocol : protocol === "icmp" && family === "ip6" ? "ipv6-icmp" : protocol;
    parts.push(`meta l4proto ${name}`);
    if ((protocol === "tcp" || protocol === "udp") && r.port_range_min !== null) {
      const max = r.port_range_max ?? r.port_range_min;
      parts.push(`${protocol} dport ${r.port_range_min === max ? r.port_range_min : `${r.port_range_min}-${max}`}`);
    }
  }
  return parts.join(" ");
}
