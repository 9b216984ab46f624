import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { addCinder } from "./cinder";
import { type CloudEffects, noEffects } from "./effects";
import { addGlance } from "./glance";
import { addKeystone, SERVICE_PATHS } from "./keystone";
import { addNeutron } from "./neutron";
import { addNova } from "./nova";
import { Router, type UnknownCall } from "./router";
import { PROJECT, Store, USER } from "./store";

export interface CloudOptions {
  effects?: CloudEffects;
  /** Where the API listens (the provider runs on the same machine). */
  host?: string;
  /** The tenant network servers' ports live on, and the external one floating IPs come from (both /24). */
  tenantNetwork?: { name: string; cidr: string; gateway: string };
  externalNetwork?: { name: string; cidr: string; gateway: string };
  /** Images registered in Glance at start (the stand-in has no upload). */
  images?: { name: string; file: string; size: number }[];
  flavors?: { name: string; vcpus: number; ram: number; disk: number }[];
}

export interface StandInCloud {
  /** Keystone v3 URL, as OS_AUTH_URL. */
  authUrl: string;
  store: Store;
  /** Calls answered 501: a test asserts this is empty. */
  unknownCalls: UnknownCall[];
  /** Every call made, `METHOD path`, in order. */
  calls: string[];
  /** The environment an openrc file gives the provider. The password is a secret: pass it in env, never argv. */
  openrc(): Record<string, string>;
  /** Stops the server and its effects; rejects when any call was answered 501 (see unknownCalls). */
  close(): Promise<void>;
}

export const DEFAULT_TENANT = { name: "pra-tenant", cidr: "10.232.0.0/24", gateway: "10.232.0.1" };
export const DEFAULT_EXTERNAL = { name: "public", cidr: "10.233.0.0/24", gateway: "10.233.0.1" };

/** Starts the stand-in OpenStack API on an ephemeral port of `host` (default 127.0.0.1). */
export async function startCloud(opts: CloudOptions = {}): Promise<StandInCloud> {
  const store = new Store();
  const effects = opts.effects ?? noEffects;
  const tenant = opts.tenantNetwork ?? DEFAULT_TENANT;
  const external = opts.externalNetwork ?? DEFAULT_EXTERNAL;
  store.addNetwork({ ...tenant, external: false });
  store.addNetwork({ ...external, external: true });
  for (const f of opts.flavors ?? [{ name: "m1.small", vcpus: 1, ram: 1024, disk: 10 }]) {
    const id = store.newId();
    store.flavors.set(id, { id, ...f });
  }
  for (const i of opts.images ?? []) {
    const id = store.newId();
    store.images.set(id, {
      id,
      name: i.name,
      size: i.size,
      file: i.file,
      diskFormat: "raw",
      containerFormat: "bare",
      visibility: "private",
      created_at: store.now(),
    });
  }

  const router = new Router((token) => {
    const entry = token ? store.tokens.get(token) : undefined;
    return entry !== undefined && entry.expiresAt > new Date();
  });
  let base = "";
  const baseUrl = () => base;
  addKeystone(router, store, baseUrl);
  addNova(router, store, effects, baseUrl);
  addNeutron(router, store, effects);
  addCinder(router, store, effects, baseUrl);
  addGlance(router, store);

  const server = createServer((req, res) => {
    router.handle(req, res).catch((e) => {
      console.error("stand-in cloud:", e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  base = `http://${host}:${(server.address() as AddressInfo).port}`;
  const authUrl = `${base}${SERVICE_PATHS.identity}`;

  return {
    authUrl,
    store,
    unknownCalls: router.unknownCalls,
    calls: router.calls,
    openrc: () => ({
      OS_AUTH_URL: authUrl,
      OS_USERNAME: USER.name,
      OS_PASSWORD: store.password,
      OS_PROJECT_NAME: PROJECT.name,
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      OS_REGION_NAME: "RegionOne",
      OS_IDENTITY_API_VERSION: "3",
      OS_INTERFACE: "public",
    }),
    /** Stops it; rejects, naming them, when calls were answered 501 that no test acknowledged (cleared). */
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await effects.close();
      if (router.unknownCalls.length > 0)
        throw new Error(
          `the stand-in cloud was asked for calls it does not implement:\n${router.unknownCalls.map((c) => `  ${c.method} ${c.url}`).join("\n")}`,
        );
    },
  };
}
