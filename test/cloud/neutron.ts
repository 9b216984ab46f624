import type { CloudEffects } from "./effects";
import { SERVICE_PATHS } from "./keystone";
import { badRequest, notFound, type Reply, type Request, type Router } from "./router";
import { type FloatingIp, type Network, type Port, PROJECT, type SecurityGroupRule, type Store } from "./store";

const P = `${SERVICE_PATHS.network}/v2.0`;

/** Query parameters Neutron reads as paging/sorting/field selection rather than as filters. */
const NOT_FILTERS = new Set(["limit", "marker", "sort_key", "sort_dir", "fields", "page_reverse"]);

/**
 * Neutron (network v2.0): networks and subnets (read only, made by the test), security groups and their
 * rules, ports, floating IPs and their association. List calls filter by the fields Neutron filters on;
 * a filter on a field the object does not have is a 400, as in Neutron with strict filter validation.
 */
export function addNeutron(router: Router, store: Store, effects: CloudEffects): void {
  const owner = { tenant_id: PROJECT.id, project_id: PROJECT.id };
  const meta = (created: string) => ({ created_at: created, updated_at: created, revision_number: 1, tags: [] });

  const networkBody = (n: Network) => ({
    id: n.id,
    name: n.name,
    status: "ACTIVE",
    admin_state_up: true,
    subnets: [n.subnetId],
    shared: false,
    "router:external": n.external,
    mtu: 1500,
    port_security_enabled: true,
    description: "",
    availability_zones: ["nova"],
    ...owner,
    ...meta("2026-01-01T00:00:00Z"),
  });
  const subnetBody = (n: Network) => ({
    id: n.subnetId,
    name: `${n.name}-subnet`,
    network_id: n.id,
    cidr: n.cidr,
    ip_version: 4,
    gateway_ip: n.gateway,
    enable_dhcp: !n.external,
    allocation_pools: [{ start: n.cidr.replace(/\.0\/24$/, ".10"), end: n.cidr.replace(/\.0\/24$/, ".254") }],
    dns_nameservers: [],
    host_routes: [],
    ...owner,
    ...meta("2026-01-01T00:00:00Z"),
  });
  const ruleBody = (r: SecurityGroupRule) => ({ ...r });
  const groupBody = (id: string) => {
    const g = store.securityGroups.get(id);
    if (!g) return undefined;
    return {
      id: g.id,
      name: g.name,
      description: g.description,
      stateful: true,
      security_group_rules: [...store.securityGroupRules.values()]
        .filter((r) => r.security_group_id === id)
        .map(ruleBody),
      ...owner,
      ...meta(g.created_at),
    };
  };
  const portStatus = (p: Port) => {
    const server = p.deviceId ? store.servers.get(p.deviceId) : undefined;
    return server && server.status.peek() === "ACTIVE" ? "ACTIVE" : "DOWN";
  };
  const portBody = (p: Port) => ({
    id: p.id,
    name: p.name,
    network_id: p.networkId,
    mac_address: p.mac,
    fixed_ips: [{ subnet_id: store.networks.get(p.networkId)?.subnetId, ip_address: p.fixedIp }],
    security_groups: p.securityGroupIds,
    admin_state_up: p.adminStateUp,
    status: portStatus(p),
    device_id: p.deviceId,
    device_owner: p.deviceId ? "compute:nova" : "",
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    "binding:vnic_type": "normal",
    port_security_enabled: true,
    description: "",
    ...owner,
    ...meta(p.created_at),
  });
  const floatingIpBody = (f: FloatingIp) => {
    const port = f.portId ? store.ports.get(f.portId) : undefined;
    return {
      id: f.id,
      floating_ip_address: f.address,
      floating_network_id: f.networkId,
      router_id: port ? "a0b1c2d3-0000-4000-8000-000000000001" : null,
      port_id: f.portId,
      fixed_ip_address: port?.fixedIp ?? null,
      status: port ? "ACTIVE" : "DOWN",
      description: f.description,
      dns_domain: "",
      dns_name: "",
      ...owner,
      ...meta(f.created_at),
    };
  };

  const list = (kind: string, items: Record<string, unknown>[], req: Request): Reply => {
    const filters = [...req.query.entries()].filter(([k]) => !NOT_FILTERS.has(k));
    for (const [k] of filters)
      if (items.length > 0 && !(k in items[0])) return badRequest(`${k} is an invalid filter for ${kind}`);
    const matching = items.filter((item) => filters.every(([k, v]) => String(item[k]) === v));
    return { status: 200, body: { [kind]: matching } };
  };

  // Networks and subnets: made by the test (the project's tenant network and the external one).
  router.add("GET", `${SERVICE_PATHS.network}`, () => ({
    status: 200,
    body: { versions: [{ id: "v2.0", status: "CURRENT", links: [] }] },
  }));
  router.add("GET", `${P}/networks`, (req) => list("networks", [...store.networks.values()].map(networkBody), req));
  router.add("GET", `${P}/networks/{id}`, (req) => {
    const n = store.networks.get(req.params[0]);
    return n ? { status: 200, body: { network: networkBody(n) } } : notFound("Network", req.params[0]);
  });
  router.add("GET", `${P}/subnets`, (req) => list("subnets", [...store.networks.values()].map(subnetBody), req));
  router.add("GET", `${P}/subnets/{id}`, (req) => {
    const n = [...store.networks.values()].find((x) => x.subnetId === req.params[0]);
    return n ? { status: 200, body: { subnet: subnetBody(n) } } : notFound("Subnet", req.params[0]);
  });

  // Security groups: a new group carries Neutron's two default egress rules.
  router.add("GET", `${P}/security-groups`, (req) =>
    list(
      "security_groups",
      [...store.securityGroups.keys()].map((id) => groupBody(id) ?? {}),
      req,
    ),
  );
  router.add("POST", `${P}/security-groups`, (req) => {
    const spec = (req.body as { security_group?: { name?: string; description?: string } } | undefined)?.security_group;
    if (!spec) return badRequest("Resource body required: security_group");
    const id = store.newId();
    store.securityGroups.set(id, {
      id,
      name: spec.name ?? "",
      description: spec.description ?? "",
      created_at: store.now(),
    });
    for (const ethertype of ["IPv4", "IPv6"] as const)
      addRule({ security_group_id: id, direction: "egress", ethertype });
    return { status: 201, body: { security_group: groupBody(id) } };
  });
  router.add("GET", `${P}/security-groups/{id}`, (req) => {
    const body = groupBody(req.params[0]);
    return body ? { status: 200, body: { security_group: body } } : notFound("Security group", req.params[0]);
  });
  router.add("PUT", `${P}/security-groups/{id}`, (req) => {
    const g = store.securityGroups.get(req.params[0]);
    if (!g) return notFound("Security group", req.params[0]);
    const spec = (req.body as { security_group?: { name?: string; description?: string } } | undefined)?.security_group;
    if (spec?.name !== undefined) g.name = spec.name;
    if (spec?.description !== undefined) g.description = spec.description;
    return { status: 200, body: { security_group: groupBody(g.id) } };
  });
  router.add("DELETE", `${P}/security-groups/{id}`, async (req) => {
    const id = req.params[0];
    if (!store.securityGroups.has(id)) return notFound("Security group", id);
    if ([...store.ports.values()].some((p) => p.securityGroupIds.includes(id)))
      return {
        status: 409,
        body: { NeutronError: { type: "SecurityGroupInUse", message: `Security Group ${id} in use.`, detail: "" } },
      };
    store.securityGroups.delete(id);
    for (const r of [...store.securityGroupRules.values()])
      if (r.security_group_id === id) store.securityGroupRules.delete(r.id);
    return { status: 204 };
  });

  function addRule(spec: Partial<SecurityGroupRule>): SecurityGroupRule {
    const created = store.now();
    const rule: SecurityGroupRule = {
      id: store.newId(),
      security_group_id: spec.security_group_id ?? "",
      direction: spec.direction ?? "ingress",
      ethertype: spec.ethertype ?? "IPv4",
      protocol: spec.protocol ?? null,
      port_range_min: spec.port_range_min ?? null,
      port_range_max: spec.port_range_max ?? null,
      remote_ip_prefix: spec.remote_ip_prefix ?? null,
      remote_group_id: spec.remote_group_id ?? null,
      description: spec.description ?? "",
      created_at: created,
      updated_at: created,
      revision_number: 0,
      tenant_id: PROJECT.id,
      project_id: PROJECT.id,
    };
    store.securityGroupRules.set(rule.id, rule);
    return rule;
  }

  router.add("GET", `${P}/security-group-rules`, (req) =>
    list("security_group_rules", [...store.securityGroupRules.values()].map(ruleBody), req),
  );
  router.add("POST", `${P}/security-group-rules`, async (req) => {
    const spec = (req.body as { security_group_rule?: Partial<SecurityGroupRule> } | undefined)?.security_group_rule;
    if (!spec?.security_group_id || !store.securityGroups.has(spec.security_group_id))
      return notFound("Security group", String(spec?.security_group_id));
    if (spec.direction !== "ingress" && spec.direction !== "egress")
      return badRequest("direction must be ingress or egress");
    const ethertype = spec.ethertype ?? "IPv4";
    if (spec.remote_ip_prefix && spec.remote_ip_prefix.includes(":") !== (ethertype === "IPv6"))
      return badRequest(`Conflicting value ethertype ${ethertype} for CIDR ${spec.remote_ip_prefix}`);
    const same = [...store.securityGroupRules.values()].find(
      (r) =>
        r.security_group_id === spec.security_group_id &&
        r.direction === spec.direction &&
        r.ethertype === ethertype &&
        r.protocol === (spec.protocol ?? null) &&
        r.port_range_min === (spec.port_range_min ?? null) &&
        r.port_range_max === (spec.port_range_max ?? null) &&
        r.remote_ip_prefix === (spec.remote_ip_prefix ?? null),
    );
    if (same)
      return {
        status: 409,
        body: {
          NeutronError: {
            type: "SecurityGroupRuleExists",
            message: `Security group rule already exists. Rule id is ${same.id}.`,
            detail: "",
          },
        },
      };
    const rule = addRule({ ...spec, ethertype });
    await effects.securityChanged(store);
    return { status: 201, body: { security_group_rule: ruleBody(rule) } };
  });
  router.add("GET", `${P}/security-group-rules/{id}`, (req) => {
    const r = store.securityGroupRules.get(req.params[0]);
    return r
      ? { status: 200, body: { security_group_rule: ruleBody(r) } }
      : notFound("Security group rule", req.params[0]);
  });
  router.add("DELETE", `${P}/security-group-rules/{id}`, async (req) => {
    if (!store.securityGroupRules.delete(req.params[0])) return notFound("Security group rule", req.params[0]);
    await effects.securityChanged(store);
    return { status: 204 };
  });

  // Ports.
  interface PortSpec {
    name?: string;
    network_id?: string;
    admin_state_up?: boolean;
    security_groups?: string[];
    fixed_ips?: { ip_address?: string }[];
  }
  router.add("GET", `${P}/ports`, (req) => list("ports", [...store.ports.values()].map(portBody), req));
  router.add("POST", `${P}/ports`, async (req) => {
    const spec = (req.body as { port?: PortSpec } | undefined)?.port;
    const network = spec?.network_id ? store.networks.get(spec.network_id) : undefined;
    if (!spec || !network) return notFound("Network", String(spec?.network_id));
    if (spec.fixed_ips?.some((f) => f.ip_address)) return badRequest("The stand-in allocates fixed IPs itself");
    const groups = spec.security_groups ?? defaultGroup();
    for (const g of groups) if (!store.securityGroups.has(g)) return notFound("Security group", g);
    const port: Port = {
      id: store.newId(),
      name: spec.name ?? "",
      networkId: network.id,
      mac: store.newMac(),
      fixedIp: store.allocateAddress(network),
      securityGroupIds: groups,
      adminStateUp: spec.admin_state_up ?? true,
      deviceId: "",
      created_at: store.now(),
    };
    store.ports.set(port.id, port);
    await effects.securityChanged(store);
    return { status: 201, body: { port: portBody(port) } };
  });
  router.add("GET", `${P}/ports/{id}`, (req) => {
    const p = store.ports.get(req.params[0]);
    return p ? { status: 200, body: { port: portBody(p) } } : notFound("Port", req.params[0]);
  });
  router.add("PUT", `${P}/ports/{id}`, async (req) => {
    const p = store.ports.get(req.params[0]);
    if (!p) return notFound("Port", req.params[0]);
    const spec = (req.body as { port?: PortSpec } | undefined)?.port ?? {};
    if (spec.name !== undefined) p.name = spec.name;
    if (spec.admin_state_up !== undefined) p.adminStateUp = spec.admin_state_up;
    if (spec.security_groups !== undefined) {
      for (const g of spec.security_groups) if (!store.securityGroups.has(g)) return notFound("Security group", g);
      p.securityGroupIds = spec.security_groups;
    }
    await effects.securityChanged(store);
    return { status: 200, body: { port: portBody(p) } };
  });
  router.add("DELETE", `${P}/ports/{id}`, async (req) => {
    const p = store.ports.get(req.params[0]);
    if (!p) return notFound("Port", req.params[0]);
    for (const f of store.floatingIps.values())
      if (f.portId === p.id) {
        f.portId = null;
        await effects.floatingIpChanged(f, undefined, store);
      }
    store.ports.delete(p.id);
    await effects.securityChanged(store);
    return { status: 204 };
  });

  function defaultGroup(): string[] {
    const g = [...store.securityGroups.values()].find((x) => x.name === "default");
    return g ? [g.id] : [];
  }

  // Floating IPs.
  interface FloatingIpSpec {
    floating_network_id?: string;
    description?: string;
    port_id?: string | null;
    fixed_ip_address?: string;
  }
  router.add("GET", `${P}/floatingips`, (req) =>
    list("floatingips", [...store.floatingIps.values()].map(floatingIpBody), req),
  );
  router.add("POST", `${P}/floatingips`, async (req) => {
    const spec = (req.body as { floatingip?: FloatingIpSpec } | undefined)?.floatingip;
    const network = spec?.floating_network_id ? store.networks.get(spec.floating_network_id) : undefined;
    if (!spec || !network) return notFound("Network", String(spec?.floating_network_id));
    if (!network.external)
      return badRequest(`Bad floatingip request: Network ${network.id} is not a valid external network.`);
    const fip: FloatingIp = {
      id: store.newId(),
      networkId: network.id,
      address: store.allocateAddress(network),
      description: spec.description ?? "",
      portId: null,
      created_at: store.now(),
    };
    store.floatingIps.set(fip.id, fip);
    const bad = await associate(fip, spec.port_id ?? null);
    if (bad) return bad;
    return { status: 201, body: { floatingip: floatingIpBody(fip) } };
  });
  router.add("GET", `${P}/floatingips/{id}`, (req) => {
    const f = store.floatingIps.get(req.params[0]);
    return f ? { status: 200, body: { floatingip: floatingIpBody(f) } } : notFound("Floating IP", req.params[0]);
  });
  router.add("PUT", `${P}/floatingips/{id}`, async (req) => {
    const f = store.floatingIps.get(req.params[0]);
    if (!f) return notFound("Floating IP", req.params[0]);
    const spec = (req.body as { floatingip?: FloatingIpSpec } | undefined)?.floatingip ?? {};
    if (spec.description !== undefined) f.description = spec.description;
    if ("port_id" in spec) {
      const bad = await associate(f, spec.port_id ?? null);
      if (bad) return bad;
    }
    return { status: 200, body: { floatingip: floatingIpBody(f) } };
  });
  router.add("DELETE", `${P}/floatingips/{id}`, async (req) => {
    const f = store.floatingIps.get(req.params[0]);
    if (!f) return notFound("Floating IP", req.params[0]);
    if (f.portId) await associate(f, null);
    store.floatingIps.delete(f.id);
    return { status: 204 };
  });

  async function associate(f: FloatingIp, portId: string | null): Promise<Reply | undefined> {
    if (portId === null) {
      f.portId = null;
      await effects.floatingIpChanged(f, undefined, store);
      return undefined;
    }
    const port = store.ports.get(portId);
    if (!port) return notFound("Port", portId);
    const other = [...store.floatingIps.values()].find((x) => x.portId === portId && x.id !== f.id);
    if (other)
      return {
        status: 409,
        body: {
          NeutronError: {
            type: "FloatingIPPortAlreadyAssociated",
            message: `Port ${portId} already has floating IP ${other.address}`,
            detail: "",
          },
        },
      };
    f.portId = portId;
    await effects.floatingIpChanged(f, port, store);
    return undefined;
  }
}
