import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import {
  loadSiteConfig,
  loadSyncConfig,
  parseSiteConfig,
  parseSyncConfig,
  projectDefaults,
  type RawConfig,
} from "../config";
import type { DeclaredKey } from "../configDefaults";
import { parseOpsSettings } from "../ops/settings";
import { validConfig } from "./harness";

/**
 * Pulumi.yaml's `config:` block is the one source of each key's type and default. The README's table
 * and the example stack repeat them for readers; this keeps the copies, and the keys the program
 * reads, in step with it.
 */
const root = join(__dirname, "..");
const declared = projectDefaults().declared;
const declaredKeys = [...declared.keys()];
const withDefault = declaredKeys.filter((k) => declared.get(k)?.default !== undefined);

const typeName = (d: DeclaredKey) => (d.type === "array" ? `list of ${d.items?.type}s` : d.type);

interface ReadmeRow {
  key: string;
  type: string;
  /** The cell as written: `required`, or a YAML value in backticks. */
  defaultCell: string;
}

function readmeRows(): ReadmeRow[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("## Configuration reference");
  expect(start, "README.md has a Configuration reference section").toBeGreaterThan(-1);
  const end = readme.indexOf("\n## ", start + 1);
  return readme
    .slice(start, end < 0 ? undefined : end)
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const cells = line.split("|").map((c) => c.trim());
      return { key: cells[1].replace(/`/g, ""), type: cells[2], defaultCell: cells[3] };
    });
}

interface ExampleLine {
  key: string;
  commented: boolean;
  /** Commented lines: the value shown. Set lines: the `# default: ...` after the value, if any. */
  shownDefault?: string;
}

function exampleLines(): ExampleLine[] {
  const lines: ExampleLine[] = [];
  for (const line of readFileSync(join(root, "Pulumi.dev.yaml"), "utf8").split("\n")) {
    const commented = /^\s*#\s*pra:(\w+):(.*)$/.exec(line);
    const set = /^\s*pra:(\w+):/.exec(line);
    if (commented) lines.push({ key: commented[1], commented: true, shownDefault: commented[2] });
    else if (set) lines.push({ key: set[1], commented: false, shownDefault: /#\s*default:(.*)$/.exec(line)?.[1] });
  }
  return lines;
}

const exampleValues = (
  parse(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> }
).config;

/** The example stack as `config.get` would return it: strings as they are, anything else as JSON. */
const exampleConfig: RawConfig = (key) => {
  const value = exampleValues[`pra:${key}`];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
};

const duplicates = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);

/** `keys` (as a copy lists them) are exactly the declared keys, each once, in Pulumi.yaml's order. */
function expectDeclaredKeys(keys: string[], copy: string): void {
  expect(
    declaredKeys.filter((k) => !keys.includes(k)),
    `declared but missing from the ${copy}`,
  ).toEqual([]);
  expect(
    keys.filter((k) => !declared.has(k)),
    `in the ${copy} but not declared`,
  ).toEqual([]);
  expect(duplicates(keys)).toEqual([]);
  expect(keys).toEqual(declaredKeys);
}

describe("README.md's configuration table", () => {
  const rows = readmeRows();
  const keys = rows.map((r) => r.key);

  it("lists every declared key once, and nothing else, in Pulumi.yaml's order", () => {
    expectDeclaredKeys(keys, "table");
  });

  it.each(rows.map((r) => [r.key, r] as const))("%s: same type and default", (key, row) => {
    const d = declared.get(key) as DeclaredKey;
    expect(row.type).toBe(typeName(d));
    if (d.default === undefined) {
      expect(row.defaultCell).toBe("required");
    } else {
      expect(row.defaultCell).toMatch(/^`.*`$/);
      expect(parse(row.defaultCell.slice(1, -1))).toEqual(d.default);
    }
  });
});

describe("Pulumi.dev.yaml, the example stack", () => {
  const lines = exampleLines();
  const keys = lines.map((l) => l.key);

  it("lists every declared key once, and nothing else, in Pulumi.yaml's order", () => {
    expectDeclaredKeys(keys, "example");
  });

  it("sets every required key", () => {
    const required = declaredKeys.filter((k) => !withDefault.includes(k));
    expect(required.length).toBeGreaterThan(0);
    for (const key of required) expect(exampleValues[`pra:${key}`], key).toBeDefined();
  });

  it.each(lines.filter((l) => withDefault.includes(l.key)).map((l) => [l.key, l] as const))(
    "%s: shows its default",
    (key, line) => {
      const expected = declared.get(key)?.default;
      if (line.commented) {
        expect(parse(line.shownDefault ?? "")).toEqual(expected);
      } else if (line.shownDefault !== undefined) {
        expect(parse(line.shownDefault)).toEqual(expected);
      } else {
        // Set to a value that is not the default: the line must say what the default is.
        expect(exampleValues[`pra:${key}`], `pra:${key} is set without a "# default: ..." comment`).toEqual(expected);
      }
    },
  );

  it("is a stack the program accepts", () => {
    expect(parseSiteConfig(exampleConfig)).toMatchObject({ mode: "standby", siteHostname: "blog.example.org" });
    expect(parseSyncConfig(exampleConfig).source).toBe("local");
  });
});

describe("keys the program reads", () => {
  /** A plain-map config that remembers every key asked for. */
  function recording(values: Record<string, string | undefined>) {
    const asked = new Set<string>();
    const get: RawConfig = (key) => {
      asked.add(key);
      return values[key];
    };
    return { get, asked };
  }

  const primary = {
    source: "ssh",
    primaryHost: "home.example.org",
    primaryHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q",
  };

  /** Every key config.ts and ops/settings.ts ask for, across a local and an ssh stack. */
  async function keysRead(): Promise<Set<string>> {
    const read = new Set<string>();
    const site = recording(validConfig);
    parseSiteConfig(site.get);
    const local = recording({});
    parseSyncConfig(local.get);
    const ssh = recording(primary);
    parseSyncConfig(ssh.get);
    const ops = recording({});
    parseOpsSettings(ops.get);
    for (const r of [site, local, ssh, ops]) for (const key of r.asked) read.add(key);

    // The loaders read through pulumi.Config: run them on a stack with the secret key set.
    await pulumi.runtime.setMocks(
      { newResource: async (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: async () => ({}) },
      "pra",
      "dev",
      false,
    );
    const config = { ...validConfig, ...primary, primarySshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" };
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`pra:${k}`, v])), [
      "pra:primarySshPrivateKey",
    ]);
    const get = vi.spyOn(pulumi.Config.prototype, "get");
    const requireSecret = vi.spyOn(pulumi.Config.prototype, "requireSecret");
    try {
      loadSiteConfig();
      loadSyncConfig();
      for (const call of [...get.mock.calls, ...requireSecret.mock.calls]) read.add(call[0]);
    } finally {
      get.mockRestore();
      requireSecret.mockRestore();
      await pulumi.runtime.disconnect();
    }
    return read;
  }

  it("reads only declared keys, and every declared key", async () => {
    const read = [...(await keysRead())];
    expect(
      read.filter((k) => !declared.has(k)),
      "read but not declared in Pulumi.yaml",
    ).toEqual([]);
    expect(
      declaredKeys.filter((k) => !read.includes(k)),
      "declared but read nowhere",
    ).toEqual([]);
  });

  it("names only declared keys where the operations touch them directly", () => {
    const files = ["config.ts", "index.ts", ...readdirSync(join(root, "ops")).map((f) => `ops/${f}`)];
    const named = new Set<string>();
    for (const file of files.filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(root, file), "utf8");
      // `pra:key` in config writes and messages, get("key") on a RawConfig (not doc.get or config.get).
      for (const m of text.matchAll(/\bpra:([a-z]\w*)\b(?!:)/g)) named.add(m[1]);
      for (const m of text.matchAll(/(?<![.\w])get\("(\w+)"\)/g)) named.add(m[1]);
    }
    expect(named.size).toBeGreaterThan(3);
    expect([...named].filter((k) => !declared.has(k))).toEqual([]);
  });
});
