import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as PulumiModule from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { vi } from "vitest";

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs with secret wrappers removed. */
  inputs: Record<string, unknown>;
  /** Dotted paths of the inputs that arrived as secrets. */
  secretInputs: string[];
  id: string;
  /**
   * Names of the resources this one waits for, as the engine is told (explicit dependsOn and the
   * resources its inputs come from): the edges `pulumi up` orders by, not the order of registration.
   */
  dependsOn: string[];
}

/** Extra outputs (or side effects, like really running a command) for one resource type. */
export type ResourceHook = (
  args: MockResourceArgs,
  inputs: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

export interface RunOptions {
  preview?: boolean;
  stack?: string;
  hooks?: Record<string, ResourceHook>;
  /** Config keys (without the pra: prefix) to mark secret, as `pulumi config set --secret` does. */
  secretKeys?: string[];
  /** Answers for invokes by token, before the built-in table (the stand-in provider's, against a cloud). */
  calls?: Record<string, (inputs: Record<string, unknown>) => Promise<Record<string, unknown>>>;
}

export interface ProgramRun {
  resources: RecordedResource[];
  calls: MockCallArgs[];
  /** The stack's exports, resolved. */
  outputs: Record<string, unknown>;
  /** Names of exports that are secret. */
  secretOutputs: string[];
  byType(type: string): RecordedResource[];
  one(type: string): RecordedResource;
  /** The resource of that name; throws when there is none. */
  named(name: string): RecordedResource;
  /** True when `later` waits for `earlier`, directly or through other resources. */
  waitsFor(later: string, earlier: string): boolean;
}

/** The last part of a URN: the resource's name. */
const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

interface RegisterRequest {
  getName(): string;
  getDependenciesList(): string[];
}

/**
 * Listens to what the SDK tells the (mock) engine about each resource's dependencies: mocks see only
 * inputs, but the engine orders a real `up` by these edges.
 */
function recordDependencies(pulumi: typeof PulumiModule): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    edges.set(req.getName(), req.getDependenciesList().map(nameOfUrn));
    return register(req, callback);
  };
  return edges;
}

/** A real ed25519 key pair in OpenSSH format, as @pulumi/tls would make. */
export function makeEd25519Key(): { privateKey: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), "pra-key-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "k")]);
    return {
      privateKey: readFileSync(join(dir, "k"), "utf8"),
      publicKey: readFileSync(join(dir, "k.pub"), "utf8").trim(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function unwrap(value: unknown, path: string, secrets: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrap(v, `${path}[${i}]`, secrets));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      secrets.push(path);
      return unwrap(obj.value, path, secrets);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrap(v, path ? `${path}.${k}` : k, secrets)]));
  }
  return value;
}

const defaultOutputs: Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>> = {
  // `cat` is the only command whose output a mock can know without running it.
  "command:local:Command": (_, inputs) => ({ stdout: inputs.create === "cat" ? (inputs.stdin ?? "") : "", stderr: "" }),
  "command:remote:Command": () => ({ stdout: "", stderr: "" }),
  "openstack:networking/floatingIp:FloatingIp": () => ({ address: "203.0.113.10" }),
  "openstack:compute/instance:Instance": () => ({ accessIpV4: "10.0.0.5" }),
  "openstack:blockstorage/volume:Volume": (name) => ({ id: `0f3c5a1e-${name}` }),
};

const keyCache = new Map<string, { privateKey: string; publicKey: string }>();
function tlsKeyOutputs(name: string): Record<string, unknown> {
  let key = keyCache.get(name);
  if (!key) {
    key = makeEd25519Key();
    keyCache.set(name, key);
  }
  return { privateKeyOpenssh: key.privateKey, publicKeyOpenssh: `${key.publicKey}\n` };
}

const calls: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "openstack:images/getImage:getImage": (inputs) => ({
    id: "6b1d2f9e-0c7a-4a55-9a35-1f0b2c3d4e5f",
    name: inputs.name,
    sizeBytes: 2_400_000_000,
  }),
  "openstack:networking/getNetwork:getNetwork": (inputs) => ({ id: "a1b2c3d4-net", name: inputs.name }),
};

/** Config of a complete, valid stack; tests override single keys. */
export const validConfig: Record<string, string> = {
  siteHostname: "blog.example.org",
  networkName: "private",
  floatingIpPool: "public",
  flavorName: "s1-2",
  adminCidrs: JSON.stringify(["198.51.100.7/32", "2001:db8::/64"]),
  imageName: "wordpress-standby",
  operatorSshKeys: JSON.stringify([
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q me@laptop",
  ]),
};

/** An export's value; rejects when a resource it depends on failed (as `pulumi up` would). */
async function resolve(pulumi: typeof PulumiModule, value: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return value;
  return (value as unknown as { promise(): Promise<unknown> }).promise();
}

/**
 * Runs index.ts under Pulumi mocks with the given stack config and records every resource and
 * invoke. `call` throws on any invoke it does not know, so a new data source cannot slip in unmocked.
 */
export async function runProgram(config: Record<string, string>, opts: RunOptions = {}): Promise<ProgramRun> {
  vi.resetModules();
  const pulumi = await import("@pulumi/pulumi");
  const resources: RecordedResource[] = [];
  const recordedCalls: MockCallArgs[] = [];
  // A failed command stops the run like a failed create in `pulumi up`: commands registered after it
  // do not run. Failures are collected instead of thrown, so the SDK leaves no unhandled rejection.
  const failures: Error[] = [];
  const runHook = async (args: MockResourceArgs, inputs: Record<string, unknown>) => {
    const hook = opts.hooks?.[args.type];
    if (!hook) return {};
    if (failures.length > 0 && args.type.startsWith("command:")) return { stdout: "", stderr: "", skipped: true };
    try {
      return await hook(args, inputs);
    } catch (e) {
      failures.push(e instanceof Error ? e : new Error(String(e)));
      return { stdout: "", stderr: "", failed: true };
    }
  };
  await pulumi.runtime.setMocks(
    {
      newResource: async (args: MockResourceArgs) => {
        const secretInputs: string[] = [];
        const inputs = unwrap(args.inputs, "", secretInputs) as Record<string, unknown>;
        const extra = args.type === "tls:index/privateKey:PrivateKey" ? tlsKeyOutputs(args.name) : {};
        const defaults = defaultOutputs[args.type]?.(args.name, inputs) ?? {};
        const hooked = await runHook(args, inputs);
        const state = { ...inputs, ...defaults, ...extra, ...hooked };
        const id = (state.id as string | undefined) ?? `${args.name}-id`;
        resources.push({ type: args.type, name: args.name, inputs, secretInputs, id, dependsOn: [] });
        return { id, state };
      },
      call: (args: MockCallArgs) => {
        recordedCalls.push(args);
        const custom = opts.calls?.[args.token];
        if (custom) return custom(args.inputs as Record<string, unknown>);
        const handler = calls[args.token];
        if (!handler) throw new Error(`unmocked invoke ${args.token}: add it to test/harness.ts`);
        return handler(args.inputs as Record<string, unknown>);
      },
    },
    "pra",
    opts.stack ?? "dev",
    opts.preview ?? false,
  );
  const edges = recordDependencies(pulumi);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [`pra:${k}`, v])),
    (opts.secretKeys ?? []).map((k) => `pra:${k}`),
  );
  const program = (await import("../index")) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = await resolve(pulumi, value);
    if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) secretOutputs.push(key);
  }
  await pulumi.runtime.disconnect();
  if (failures.length > 0) throw failures[0];
  for (const r of resources) r.dependsOn = edges.get(r.name) ?? [];
  const byType = (type: string) => resources.filter((r) => r.type === type);
  const named = (name: string) => {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}`);
    return found;
  };
  const waitsFor = (later: string, earlier: string, seen = new Set<string>()): boolean => {
    if (seen.has(later)) return false;
    seen.add(later);
    const direct = named(later).dependsOn;
    return (
      direct.includes(earlier) || direct.some((d) => resources.some((r) => r.name === d) && waitsFor(d, earlier, seen))
    );
  };
  return {
    named,
    waitsFor: (later, earlier) => waitsFor(later, earlier),
    resources,
    calls: recordedCalls,
    outputs,
    secretOutputs,
    byType,
    one(type: string) {
      const found = byType(type);
      if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
      return found[0];
    },
  };
}
