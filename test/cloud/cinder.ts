import type { CloudEffects } from "./effects";
import { SERVICE_PATHS } from "./keystone";
import { badRequest, notFound, type Reply, type Router } from "./router";
import { GONE, MovingStatus, PROJECT, type Store, USER, type Volume } from "./store";

const P = SERVICE_PATHS.volumev3;

interface CreateVolume {
  volume?: {
    size?: number;
    name?: string;
    description?: string;
    volume_type?: string;
    availability_zone?: string;
    imageRef?: string;
    snapshot_id?: string;
    source_volid?: string;
  };
}

/**
 * Cinder writes its times with microseconds and no zone ("2026-01-01T00:00:00.000000"), unlike Nova and
 * Neutron's "…Z"; gophercloud parses Cinder's with that layout and fails on a "Z".
 */
const cinderTime = (iso: string) => iso.replace(/Z$/, ".000000");

/**
 * Cinder (block storage v3): volumes that move creating → available, attaching → in-use (Nova attaches them
 * at boot), deleting → 404, and grow with os-extend (in use only from microversion 3.42, as in Cinder).
 */
export function addCinder(router: Router, store: Store, effects: CloudEffects, baseUrl: () => string): void {
  const body = (v: Volume, status: string) => ({
    id: v.id,
    name: v.name,
    description: v.description,
    size: v.size,
    status,
    volume_type: v.volumeType,
    availability_zone: v.availabilityZone,
    attachments: v.serverId
      ? [
          {
            id: v.id,
            attachment_id: v.attachmentId,
            volume_id: v.id,
            server_id: v.serverId,
            device: v.device,
            host_name: null,
            attached_at: cinderTime(v.created_at),
          },
        ]
      : [],
    bootable: "false",
    encrypted: false,
    multiattach: false,
    metadata: {},
    snapshot_id: null,
    source_volid: null,
    consistencygroup_id: null,
    replication_status: null,
    user_id: USER.id,
    "os-vol-tenant-attr:tenant_id": PROJECT.id,
    created_at: cinderTime(v.created_at),
    updated_at: cinderTime(store.now()),
    links: [{ rel: "self", href: `${baseUrl()}${P}/volumes/${v.id}` }],
  });

  const read = (id: string): { volume: Volume; status: string } | undefined => {
    const v = store.volumes.get(id);
    if (!v) return undefined;
    const status = v.status.read();
    if (status === GONE) {
      store.volumes.delete(id);
      return undefined;
    }
    return { volume: v, status };
  };

  const listing = (): Reply => ({
    status: 200,
    body: {
      volumes: [...store.volumes.keys()]
        .map(read)
        .filter((r) => r !== undefined)
        .map((r) => body(r.volume, r.status)),
    },
  });
  router.add("GET", `${P}/volumes/detail`, listing);
  router.add("GET", `${P}/volumes`, listing);
  router.add("POST", `${P}/volumes`, (req) => {
    const spec = (req.body as CreateVolume | undefined)?.volume;
    if (!spec || !Number.isInteger(spec.size) || (spec.size ?? 0) < 1)
      return badRequest("Invalid input: size must be an integer ≥ 1");
    if (spec.imageRef || spec.snapshot_id || spec.source_volid)
      return badRequest("The stand-in creates blank volumes only (no imageRef, snapshot_id or source_volid)");
    const volume: Volume = {
      id: store.newId(),
      name: spec.name ?? "",
      description: spec.description ?? "",
      size: spec.size ?? 1,
      volumeType: spec.volume_type ?? "__DEFAULT__",
      availabilityZone: spec.availability_zone ?? "nova",
      status: new MovingStatus("creating"),
      serverId: null,
      attachmentId: null,
      device: null,
      created_at: store.now(),
    };
    store.volumes.set(volume.id, volume);
    volume.status.moveAfter(effects.createVolume(volume), "available");
    return { status: 202, body: { volume: body(volume, "creating") } };
  });
  router.add("GET", `${P}/volumes/{id}`, (req) => {
    const r = read(req.params[0]);
    return r ? { status: 200, body: { volume: body(r.volume, r.status) } } : notFound("Volume", req.params[0]);
  });
  router.add("PUT", `${P}/volumes/{id}`, (req) => {
    const r = read(req.params[0]);
    if (!r) return notFound("Volume", req.params[0]);
    const spec = (req.body as CreateVolume | undefined)?.volume ?? {};
    if (spec.name !== undefined) r.volume.name = spec.name;
    if (spec.description !== undefined) r.volume.description = spec.description;
    return { status: 200, body: { volume: body(r.volume, r.status) } };
  });
  router.add("DELETE", `${P}/volumes/{id}`, (req) => {
    const v = store.volumes.get(req.params[0]);
    if (!v || v.status.peek() === GONE) return notFound("Volume", req.params[0]);
    const status = v.status.peek();
    if (v.serverId || !["available", "error", "error_restoring", "error_extending"].includes(status))
      return badRequest(
        `Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after volume transfer.`,
      );
    v.status.set("deleting");
    v.status.moveAfter(effects.deleteVolume(v), GONE);
    return { status: 202 };
  });
  router.add("POST", `${P}/volumes/{id}/action`, (req) => {
    const v = store.volumes.get(req.params[0]);
    if (!v) return notFound("Volume", req.params[0]);
    const extend = (req.body as { "os-extend"?: { new_size?: number } } | undefined)?.["os-extend"];
    if (!extend)
      return badRequest(`The stand-in does not implement the volume action ${Object.keys(req.body ?? {})[0]}`);
    const newSize = Number(extend.new_size);
    if (!Number.isInteger(newSize) || newSize <= v.size)
      return badRequest("Invalid input: new size must be larger than the current size");
    const status = v.status.peek();
    const version = String(req.headers["openstack-api-version"] ?? "");
    const inUseAllowed = /volume 3\.(4[2-9]|[5-9]\d)/.test(version);
    if (!(status === "available" || (status === "in-use" && inUseAllowed)))
      return badRequest(
        `Invalid volume: Volume status must be 'available' (or 'in-use' from microversion 3.42) to extend, currently ${status}`,
      );
    v.size = newSize;
    v.status.set("extending");
    v.status.moveAfter(effects.extendVolume(v), status, "error_extending");
    return { status: 202 };
  });
}
