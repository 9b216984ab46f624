import { SERVICE_PATHS } from "./keystone";
import { badRequest, notFound, type Router } from "./router";
import { type Image, PROJECT, type Store } from "./store";

const P = `${SERVICE_PATHS.image}/v2`;

/** Query parameters Glance reads for paging and sorting rather than as filters. */
const NOT_FILTERS = new Set(["limit", "marker", "sort", "sort_key", "sort_dir", "member_status"]);

/** Glance (image v2), read only: the images a test registers (the guest image) and their lookups by name. */
export function addGlance(router: Router, store: Store): void {
  const body = (i: Image) => ({
    id: i.id,
    name: i.name,
    status: "active",
    visibility: i.visibility,
    protected: false,
    os_hidden: false,
    size: i.size,
    virtual_size: i.size,
    disk_format: i.diskFormat,
    container_format: i.containerFormat,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
    min_disk: 0,
    min_ram: 0,
    owner: PROJECT.id,
    tags: [],
    created_at: i.created_at,
    updated_at: i.created_at,
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: "/v2/schemas/image",
  });

  router.add("GET", P, () => ({ status: 200, body: { versions: [{ id: "v2.16", status: "CURRENT", links: [] }] } }));
  router.add("GET", `${P}/images`, (req) => {
    let images = [...store.images.values()].map(body);
    for (const [key, value] of req.query.entries()) {
      if (NOT_FILTERS.has(key)) continue;
      if (!(key in (images[0] ?? { [key]: "" }))) return badRequest(`Invalid filter: ${key}`);
      images = images.filter((i) => String((i as Record<string, unknown>)[key]) === value);
    }
    const sort =
      req.query.get("sort") ?? `${req.query.get("sort_key") ?? "created_at"}:${req.query.get("sort_dir") ?? "desc"}`;
    for (const part of sort.split(",").reverse()) {
      const [key, dir] = part.split(":");
      const sign = dir === "asc" ? 1 : -1;
      images.sort(
        (a, b) =>
          sign * String((a as Record<string, unknown>)[key]).localeCompare(String((b as Record<string, unknown>)[key])),
      );
    }
    return { status: 200, body: { images, first: "/v2/images", schema: "/v2/schemas/images" } };
  });
  router.add("GET", `${P}/images/{id}`, (req) => {
    const i = store.images.get(req.params[0]);
    return i ? { status: 200, body: body(i) } : notFound("Image", req.params[0]);
  });
}
