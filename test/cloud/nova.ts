import type { CloudEffects } from "./effects";
import { SERVICE_PATHS } from "./keystone";
import { badRequest, notFound, type Reply, type Request, type Router } from "./router";
import { type BlockDevice, GONE, MovingStatus, PROJECT, type Server, type Store, USER } from "./store";

const P = SERVICE_PATHS.compute;

interface CreateServer {
  server?: {
    name?: string;
    flavorRef?: string;
    imageRef?: string;
    networks?: { port?: string; uuid?: string; fixed_ip?: string }[] | "auto" | "none";
    block_device_mapping_v2?: Partial<BlockDevice>[];
    user_data?: string;
    metadata?: Record<string, string>;
    availability_zone?: string;
    config_drive?: boolean;
  };
}

/**
 * Nova (compute v2.1): flavors, servers with block_device_mapping_v2 and user data, os-stop/os-start, delete,
 * volume attachments. Statuses move as Nova's do: BUILD → ACTIVE, os-stop → SHUTOFF, delete → 404, each only
 * once the VM really got there.
 */
export function addNova(router: Router, store: Store, effects: CloudEffects, baseUrl: () => string): void {
  const link = (kind: string, id: string) => [{ rel: "self", href: `${baseUrl()}${P}/${kind}/${id}` }];
  const flavorBody = (id: string) => {
    const f = store.flavors.get(id);
    if (!f) return undefined;
    return {
      id: f.id,
      name: f.name,
      vcpus: f.vcpus,
      ram: f.ram,
      disk: f.disk,
      swap: "",
      "OS-FLV-EXT-DATA:ephemeral": 0,
      "OS-FLV-DISABLED:disabled": false,
      "os-flavor-access:is_public": true,
      rxtx_factor: 1.0,
      links: link("flavors", f.id),
    };
  };

  router.add("GET", `${P}/flavors/detail`, () => ({
    status: 200,
    body: { flavors: [...store.flavors.keys()].map(flavorBody) },
  }));
  router.add("GET", `${P}/flavors`, () => ({
    status: 200,
    body: {
      flavors: [...store.flavors.values()].map((f) => ({ id: f.id, name: f.name, links: link("flavors", f.id) })),
    },
  }));
  router.add("GET", `${P}/flavors/{id}`, (req) => {
    const body = flavorBody(req.params[0]);
    return body ? { status: 200, body: { flavor: body } } : notFound("Flavor", req.params[0]);
  });
  router.add("GET", `${P}/flavors/{id}/os-extra_specs`, () => ({ status: 200, body: { extra_specs: {} } }));

  const serverBody = (s: Server, status: string) => {
    const addresses: Record<string, unknown[]> = {};
    for (const portId of s.portIds) {
      const port = store.ports.get(portId);
      const network = port && store.networks.get(port.networkId);
      if (!port || !network) continue;
      const entries = [
        { version: 4, addr: port.fixedIp, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": port.mac },
      ];
      const fip = [...store.floatingIps.values()].find((f) => f.portId === port.id);
      if (fip)
        entries.push({
          version: 4,
          addr: fip.address,
          "OS-EXT-IPS:type": "floating",
          "OS-EXT-IPS-MAC:mac_addr": port.mac,
        });
      addresses[network.name] = [...(addresses[network.name] ?? []), ...entries];
    }
    const vmState = { BUILD: "building", ACTIVE: "active", SHUTOFF: "stopped", ERROR: "error" }[status] ?? "active";
    return {
      id: s.id,
      name: s.name,
      status,
      tenant_id: PROJECT.id,
      user_id: USER.id,
      metadata: s.metadata,
      hostId: status === "BUILD" ? "" : "5a1e0b6c2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c",
      image: s.imageId ? { id: s.imageId, links: link("images", s.imageId) } : "",
      flavor: { id: s.flavorId, links: link("flavors", s.flavorId) },
      created: s.created_at,
      updated: store.now(),
      addresses,
      accessIPv4: "",
      accessIPv6: "",
      links: link("servers", s.id),
      "OS-DCF:diskConfig": "MANUAL",
      progress: status === "ACTIVE" ? 100 : 0,
      "OS-EXT-AZ:availability_zone": s.availabilityZone,
      config_drive: "True",
      key_name: null,
      // Nova's usage times carry microseconds and no zone, unlike `created`; gophercloud parses them so.
      "OS-SRV-USG:launched_at": status === "BUILD" ? null : s.created_at.replace(/Z$/, ".000000"),
      "OS-SRV-USG:terminated_at": null,
      "OS-EXT-STS:task_state": s.taskState,
      "OS-EXT-STS:vm_state": vmState,
      "OS-EXT-STS:power_state": status === "ACTIVE" ? 1 : status === "SHUTOFF" ? 4 : 0,
      "os-extended-volumes:volumes_attached": s.blockDevices
        .filter((b) => b.source_type === "volume")
        .map((b) => ({ id: b.uuid, delete_on_termination: b.delete_on_termination })),
      security_groups: [
        ...new Set(
          s.portIds
            .flatMap((p) => store.ports.get(p)?.securityGroupIds ?? [])
            .map((g) => store.securityGroups.get(g)?.name),
        ),
      ]
        .filter((n): n is string => n !== undefined)
        .map((name) => ({ name })),
    };
  };

  /** The server as a client reads it, or undefined once a finished delete has been seen. */
  const readServer = (id: string): { server: Server; status: string } | undefined => {
    const s = store.servers.get(id);
    if (!s) return undefined;
    const status = s.status.read();
    if (status === GONE) {
      store.servers.delete(id);
      return undefined;
    }
    if (status !== "BUILD" && s.taskState === "spawning") s.taskState = null;
    if (status === "SHUTOFF" && s.taskState === "powering-off") s.taskState = null;
    if (status === "ACTIVE" && s.taskState === "powering-on") s.taskState = null;
    return { server: s, status };
  };

  router.add("POST", `${P}/servers`, (req) => createServer(req));
  router.add("GET", `${P}/servers/detail`, (req) => {
    const name = req.query.get("name");
    const servers = [...store.servers.keys()]
      .map(readServer)
      .filter((r): r is { server: Server; status: string } => r !== undefined)
      .filter((r) => !name || new RegExp(name).test(r.server.name))
      .map((r) => serverBody(r.server, r.status));
    return { status: 200, body: { servers } };
  });
  router.add("GET", `${P}/servers/{id}`, (req) => {
    const r = readServer(req.params[0]);
    return r ? { status: 200, body: { server: serverBody(r.server, r.status) } } : notFound("Instance", req.params[0]);
  });
  router.add("GET", `${P}/servers/{id}/os-volume_attachments`, (req) => {
    const r = readServer(req.params[0]);
    if (!r) return notFound("Instance", req.params[0]);
    const volumeAttachments = [...store.volumes.values()]
      .filter((v) => v.serverId === r.server.id)
      .map((v) => ({ id: v.id, volumeId: v.id, serverId: r.server.id, device: v.device }));
    return { status: 200, body: { volumeAttachments } };
  });
  router.add("GET", `${P}/servers/{id}/os-interface`, (req) => {
    const r = readServer(req.params[0]);
    if (!r) return notFound("Instance", req.params[0]);
    const interfaceAttachments = r.server.portIds
      .map((id) => store.ports.get(id))
      .filter((p) => p !== undefined)
      .map((p) => ({
        port_id: p.id,
        net_id: p.networkId,
        mac_addr: p.mac,
        port_state: "ACTIVE",
        fixed_ips: [{ subnet_id: store.networks.get(p.networkId)?.subnetId, ip_address: p.fixedIp }],
      }));
    return { status: 200, body: { interfaceAttachments } };
  });
  // The provider reads tags after every read (microversion 2.26); the stand-in's servers have none.
  router.add("GET", `${P}/servers/{id}/tags`, (req) => {
    // gophercloud sends the microversion in both headers; either names it.
    const version =
      /compute 2\.(\d+)/.exec(String(req.headers["openstack-api-version"] ?? ""))?.[1] ??
      /^2\.(\d+)$/.exec(String(req.headers["x-openstack-nova-api-version"] ?? ""))?.[1];
    if (version === undefined || Number(version) < 26) return notFound("Resource", "tags (needs microversion 2.26)");
    return readServer(req.params[0]) ? { status: 200, body: { tags: [] } } : notFound("Instance", req.params[0]);
  });
  router.add("POST", `${P}/servers/{id}/action`, (req) => serverAction(req));
  router.add("DELETE", `${P}/servers/{id}`, (req) => {
    const s = store.servers.get(req.params[0]);
    if (!s || s.status.peek() === GONE) return notFound("Instance", req.params[0]);
    s.taskState = "deleting";
    s.status.moveAfter(deleteServer(s), GONE);
    return { status: 204 };
  });

  async function deleteServer(s: Server): Promise<void> {
    await effects.deleteServer(s);
    for (const portId of s.portIds) {
      const port = store.ports.get(portId);
      if (port) port.deviceId = "";
    }
    for (const b of s.blockDevices) {
      const volume = store.volumes.get(b.uuid);
      if (b.source_type !== "volume" || !volume) continue;
      volume.serverId = null;
      volume.attachmentId = null;
      volume.device = null;
      if (b.delete_on_termination) {
        volume.status.set("deleting");
        volume.status.moveAfter(effects.deleteVolume(volume), GONE);
      } else volume.status.set("available");
    }
    await effects.securityChanged(store);
  }

  function serverAction(req: Request): Reply {
    const s = store.servers.get(req.params[0]);
    if (!s || s.status.peek() === GONE) return notFound("Instance", req.params[0]);
    const action = Object.keys((req.body as object | undefined) ?? {})[0];
    const status = s.status.peek();
    const conflict = (what: string): Reply => ({
      status: 409,
      body: {
        conflictingRequest: {
          code: 409,
          message: `Cannot '${what}' instance ${s.id} while it is in vm_state ${status}`,
        },
      },
    });
    if (action === "os-stop") {
      if (status !== "ACTIVE") return conflict("stop");
      s.taskState = "powering-off";
      s.status.moveAfter(effects.stopServer(s), "SHUTOFF");
      return { status: 202 };
    }
    if (action === "os-start") {
      if (status !== "SHUTOFF") return conflict("start");
      s.taskState = "powering-on";
      s.status.moveAfter(effects.startServer(s, store), "ACTIVE");
      return { status: 202 };
    }
    return badRequest(`The stand-in cloud does not implement the server action ${action}`);
  }

  function createServer(req: Request): Reply {
    const spec = (req.body as CreateServer | undefined)?.server;
    if (!spec?.name) return badRequest("Invalid input for field/attribute server: 'name' is a required property");
    const flavor = spec.flavorRef && store.flavors.get(spec.flavorRef.split("/").pop() ?? "");
    if (!flavor) return badRequest(`Flavor ${spec.flavorRef} could not be found.`);
    if (!Array.isArray(spec.networks) || spec.networks.length === 0)
      return badRequest("The stand-in cloud needs explicit networks (a port or a network uuid)");
    const portIds: string[] = [];
    for (const n of spec.networks) {
      const port = n.port && store.ports.get(n.port);
      if (!port) return badRequest(`Port ${n.port} could not be found (the stand-in boots on existing ports only)`);
      if (port.deviceId)
        return {
          status: 409,
          body: { conflictingRequest: { code: 409, message: `Port ${port.id} is still in use.` } },
        };
      portIds.push(port.id);
    }
    const blockDevices: BlockDevice[] = (spec.block_device_mapping_v2 ?? []).map((b) => ({
      source_type: b.source_type ?? "",
      destination_type: b.destination_type ?? "",
      uuid: b.uuid ?? "",
      boot_index: b.boot_index === undefined || b.boot_index === null ? null : Number(b.boot_index),
      delete_on_termination: String(b.delete_on_termination) === "true",
    }));
    let imageId = spec.imageRef ?? "";
    for (const b of blockDevices) {
      if (b.source_type === "image") {
        if (!store.images.has(b.uuid)) return badRequest(`Image ${b.uuid} could not be found.`);
        if (b.destination_type !== "local") return badRequest("The stand-in boots images on local disks only");
        if (b.boot_index === 0) imageId = b.uuid;
      } else if (b.source_type === "volume") {
        const volume = store.volumes.get(b.uuid);
        if (!volume) return badRequest(`Volume ${b.uuid} could not be found.`);
        if (volume.status.peek() !== "available")
          return badRequest(
            `Invalid volume: volume ${b.uuid} status must be available, but current status is: ${volume.status.peek()}.`,
          );
      } else return badRequest(`The stand-in does not implement block devices of source_type ${b.source_type}`);
    }
    if (!imageId || !store.images.has(imageId)) return badRequest("Block Device Mapping is Invalid: no bootable image");
    let userData: string | null = null;
    if (spec.user_data !== undefined) {
      const decoded = Buffer.from(spec.user_data, "base64");
      if (decoded.toString("base64").replace(/=+$/, "") !== spec.user_data.replace(/\s/g, "").replace(/=+$/, ""))
        return badRequest("Invalid input for field/attribute user_data. Value: not valid base64");
      if (spec.user_data.length > 65535) return badRequest("user_data too long: Nova's limit is 65535 bytes base64");
      userData = decoded.toString("utf8");
    }
    const server: Server = {
      id: store.newId(),
      name: spec.name,
      flavorId: flavor.id,
      imageId,
      portIds,
      blockDevices,
      userData,
      metadata: spec.metadata ?? {},
      availabilityZone: spec.availability_zone ?? "nova",
      status: new MovingStatus("BUILD"),
      taskState: "spawning",
      created_at: store.now(),
    };
    store.servers.set(server.id, server);
    for (const portId of portIds) {
      const port = store.ports.get(portId);
      if (port) port.deviceId = server.id;
    }
    let letter = "b";
    for (const b of blockDevices.filter((d) => d.source_type === "volume")) {
      const volume = store.volumes.get(b.uuid);
      if (!volume) continue;
      volume.serverId = server.id;
      volume.attachmentId = store.newId();
      volume.device = `/dev/vd${letter}`;
      letter = String.fromCharCode(letter.charCodeAt(0) + 1);
      volume.status.set("attaching");
    }
    const boot = (async () => {
      await effects.securityChanged(store);
      await effects.bootServer(server, store);
    })();
    server.status.moveAfter(boot, "ACTIVE", "ERROR");
    // Nova attaches the volumes before the guest spawns: by the time the server is ACTIVE they are in-use.
    const attached = blockDevices.filter((d) => d.source_type === "volume").map((b) => store.volumes.get(b.uuid));
    boot.then(
      () => {
        for (const v of attached) v?.status.set("in-use");
      },
      () => {
        for (const v of attached) v?.status.set("available");
      },
    );
    return {
      status: 202,
      headers: { Location: `${baseUrl()}${P}/servers/${server.id}` },
      body: {
        server: {
          id: server.id,
          links: link("servers", server.id),
          "OS-DCF:diskConfig": "MANUAL",
          security_groups: [{ name: "default" }],
          adminPass: "",
        },
      },
    };
  }
}
