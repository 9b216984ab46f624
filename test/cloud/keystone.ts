import { randomBytes } from "node:crypto";
import { badRequest, error, type Router } from "./router";
import { PROJECT, type Store, USER } from "./store";

/** Where each service lives under the stand-in's own address (the catalog points back at it). */
export const SERVICE_PATHS = {
  identity: "/identity/v3",
  compute: "/compute/v2.1",
  network: "/network",
  volumev3: `/volume/v3/${PROJECT.id}`,
  image: "/image",
} as const;

const TOKEN_HOURS = 12;

interface PasswordAuth {
  auth?: {
    identity?: {
      methods?: string[];
      password?: { user?: { id?: string; name?: string; password?: string; domain?: { id?: string; name?: string } } };
    };
    scope?: { project?: { id?: string; name?: string; domain?: { id?: string; name?: string } } };
  };
}

/**
 * Keystone v3: password authentication scoped to the one project, the token in X-Subject-Token, a catalog
 * whose every endpoint is this server. Version discovery (GET /identity, /identity/v3) as gophercloud may do it.
 */
export function addKeystone(router: Router, store: Store, baseUrl: () => string): void {
  const versionV3 = () => ({
    id: "v3.14",
    status: "stable",
    updated: "2020-04-07T00:00:00Z",
    links: [{ rel: "self", href: `${baseUrl()}${SERVICE_PATHS.identity}/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  });
  router.add("GET", "/identity", () => ({ status: 300, body: { versions: { values: [versionV3()] } } }), {
    open: true,
  });
  router.add("GET", "/identity/v3", () => ({ status: 200, body: { version: versionV3() } }), { open: true });

  router.add(
    "POST",
    "/identity/v3/auth/tokens",
    (req) => {
      const auth = (req.body as PasswordAuth | undefined)?.auth;
      const methods = auth?.identity?.methods ?? [];
      if (!methods.includes("password")) return badRequest("The stand-in accepts password authentication only");
      const user = auth?.identity?.password?.user;
      const knownUser = user?.id === USER.id || (user?.name === USER.name && domainOk(user?.domain));
      if (!knownUser || user?.password !== store.password)
        return {
          status: 401,
          body: {
            error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." },
          },
        };
      const project = auth?.scope?.project;
      if (project && project.id !== PROJECT.id && !(project.name === PROJECT.name && domainOk(project.domain)))
        return {
          status: 401,
          body: error(401, "Unauthorized", `No project ${project.id ?? project.name} for this user`),
        };
      const token = `gAAAA${randomBytes(24).toString("hex")}`;
      const issued = new Date();
      const expires = new Date(issued.getTime() + TOKEN_HOURS * 3600_000);
      store.tokens.set(token, { expiresAt: expires });
      return {
        status: 201,
        headers: { "X-Subject-Token": token },
        body: { token: tokenBody(issued, expires, baseUrl()) },
      };
    },
    { open: true },
  );
  // Token validation: what a client that re-checks its token calls.
  router.add("GET", "/identity/v3/auth/tokens", (req) => {
    const subject = req.headers["x-subject-token"];
    const entry = typeof subject === "string" ? store.tokens.get(subject) : undefined;
    if (!entry || entry.expiresAt < new Date())
      return { status: 404, body: error(404, "itemNotFound", "Could not find token") };
    return { status: 200, body: { token: tokenBody(new Date(), entry.expiresAt, baseUrl()) } };
  });
}

function domainOk(domain: { id?: string; name?: string } | undefined): boolean {
  return domain?.id === PROJECT.domainId || domain?.name === "Default";
}

function tokenBody(issued: Date, expires: Date, base: string) {
  const endpoint = (type: keyof typeof SERVICE_PATHS, name: string) => ({
    id: `${type}-service`,
    type,
    name,
    endpoints: (["public", "internal", "admin"] as const).map((iface) => ({
      id: `${type}-${iface}`,
      interface: iface,
      region: "RegionOne",
      region_id: "RegionOne",
      url: `${base}${SERVICE_PATHS[type]}`,
    })),
  });
  return {
    methods: ["password"],
    issued_at: issued.toISOString(),
    expires_at: expires.toISOString(),
    user: { id: USER.id, name: USER.name, domain: { id: "default", name: "Default" }, password_expires_at: null },
    project: { id: PROJECT.id, name: PROJECT.name, domain: { id: "default", name: "Default" } },
    roles: [{ id: "member-role", name: "member" }],
    is_domain: false,
    catalog: [
      endpoint("identity", "keystone"),
      endpoint("compute", "nova"),
      endpoint("network", "neutron"),
      endpoint("volumev3", "cinderv3"),
      endpoint("image", "glance"),
    ],
  };
}
