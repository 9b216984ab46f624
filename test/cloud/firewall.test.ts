import { describe, expect, it } from "vitest";
import { run } from "../lab/proc";
import { renderRuleset } from "./real/firewall";
import { type Port, Store } from "./store";

/** The stand-in's nftables ruleset, rendered from a store: what it allows, and that nft accepts it. */
function storeWithBoundPort(): { store: Store; port: Port; groupId: string } {
  const store = new Store();
  const tenant = store.addNetwork({ name: "t", cidr: "10.232.0.0/24", gateway: "10.232.0.1", external: false });
  const external = store.addNetwork({ name: "e", cidr: "10.233.0.0/24", gateway: "10.233.0.1", external: true });
  const groupId = "11111111-2222-3333-4444-555555555555";
  store.securityGroups.set(groupId, { id: groupId, name: "g", description: "", created_at: store.now() });
  const rule = (id: string, extra: object) =>
    store.securityGroupRules.set(id, {
      id,
      security_group_id: groupId,
      direction: "ingress",
      ethertype: "IPv4",
      protocol: "tcp",
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: "10.233.0.2/32",
      remote_group_id: null,
      description: "",
      created_at: "",
      updated_at: "",
      revision_number: 0,
      tenant_id: "",
      project_id: "",
      ...extra,
    });
  rule("r1", {});
  rule("r2", { ethertype: "IPv6", port_range_min: 80, port_range_max: 80, remote_ip_prefix: "::/0" });
  rule("r3", {
    direction: "egress",
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
  });
  const port: Port = {
    id: "abcdef01-2345-6789-abcd-ef0123456789",
    name: "p",
    networkId: tenant.id,
    mac: "fa:16:3e:00:00:01",
    fixedIp: "10.232.0.10",
    securityGroupIds: [groupId],
    adminStateUp: true,
    deviceId: "server-1",
    created_at: "",
  };
  store.ports.set(port.id, port);
  store.floatingIps.set("f1", {
    id: "f1",
    networkId: external.id,
    address: "10.233.0.10",
    description: "",
    portId: port.id,
    created_at: "",
  });
  return { store, port, groupId };
}

describe("stand-in firewall", () => {
  it("DNATs an associated floating IP to its port and lets in only what the port's rules allow", () => {
    const { store } = storeWithBoundPort();
    const ruleset = renderRuleset(store);
    expect(ruleset).toContain("ip daddr 10.233.0.10 dnat ip to 10.232.0.10");
    expect(ruleset).toContain('oifname "tapabcdef01-23" jump in_abcdef0123456789');
    expect(ruleset).toMatch(
      /chain in_abcdef0123456789 \{\n {4}meta nfproto ipv4 ip saddr 10\.233\.0\.2\/32 meta l4proto tcp tcp dport 22 accept\n {4}meta nfproto ipv6 ip6 saddr ::\/0 meta l4proto tcp tcp dport 80 accept\n {4}drop\n/,
    );
    expect(ruleset).toMatch(/chain out_abcdef0123456789 \{\n {4}meta nfproto ipv4 accept\n {4}drop\n/);
  });

  it("forgets the floating IP and the port's chains once disassociated and unbound", () => {
    const { store, port } = storeWithBoundPort();
    const fip = store.floatingIps.get("f1");
    if (fip) fip.portId = null;
    port.deviceId = "";
    const ruleset = renderRuleset(store);
    expect(ruleset).not.toContain("dnat");
    expect(ruleset).not.toContain("tapabcdef01-23");
  });

  it("renders a ruleset nft accepts (checked in a throw-away network namespace)", async () => {
    const { store } = storeWithBoundPort();
    const check = await run(["unshare", "--net", "nft", "-c", "-f", "-"], {
      input: renderRuleset(store),
      allowFail: true,
    });
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
  });
});
