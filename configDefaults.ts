import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** One entry of Pulumi.yaml's `config:` block (a `pra:` key). */
export interface DeclaredKey {
  type: "string" | "integer" | "boolean" | "array";
  items?: { type: string };
  /** Absent for a key every stack must set (Pulumi refuses a stack without it). */
  default?: unknown;
  description?: string;
}

const TYPES = ["string", "integer", "boolean", "array"];

function fitsType(value: unknown, key: DeclaredKey): boolean {
  switch (key.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    default:
      return Array.isArray(value) && value.every((v) => typeof v === key.items?.type);
  }
}

/**
 * The `pra:` keys Pulumi.yaml declares, with typed access to their defaults. Pulumi applies these
 * defaults itself under `pulumi up`; the parsers use them too, so a plain map in a test, or the config
 * of an Automation API stack, yields the same values. Asking for a key Pulumi.yaml does not declare
 * (or declares with another type, or without a default) is a programming error and throws.
 */
export class ConfigDefaults {
  constructor(readonly declared: ReadonlyMap<string, DeclaredKey>) {}

  string(key: string): string {
    return this.defaultOf(key, "string") as string;
  }

  integer(key: string): number {
    return this.defaultOf(key, "integer") as number;
  }

  boolean(key: string): boolean {
    return this.defaultOf(key, "boolean") as boolean;
  }

  /** A list's default; undefined when every stack must set the list. */
  stringList(key: string): string[] | undefined {
    const list = this.declaration(key, "array").default as string[] | undefined;
    return list && [...list];
  }

  private declaration(key: string, type: DeclaredKey["type"]): DeclaredKey {
    const declared = this.declared.get(key);
    if (!declared) throw new Error(`pra:${key} is read but not declared in Pulumi.yaml`);
    if (declared.type !== type) throw new Error(`Pulumi.yaml declares pra:${key} as ${declared.type}, not ${type}`);
    return declared;
  }

  private defaultOf(key: string, type: DeclaredKey["type"]): unknown {
    const declared = this.declaration(key, type);
    if (declared.default === undefined) throw new Error(`Pulumi.yaml declares no default for pra:${key}`);
    return declared.default;
  }
}

/** Reads the `config:` block of a Pulumi project file; refuses entries whose default does not fit their type. */
export function readConfigDefaults(projectFile: string): ConfigDefaults {
  const project = parse(readFileSync(projectFile, "utf8")) as { config?: Record<string, DeclaredKey> };
  const declared = new Map<string, DeclaredKey>();
  for (const [key, entry] of Object.entries(project?.config ?? {})) {
    // A namespaced key (openstack:region) configures a provider, not this program.
    if (key.includes(":")) continue;
    if (!TYPES.includes(entry?.type))
      throw new Error(`${projectFile}: config ${key} has no type of ${TYPES.join("/")}`);
    if (entry.default !== undefined && !fitsType(entry.default, entry)) {
      throw new Error(`${projectFile}: the default of config ${key} is not of type ${entry.type}`);
    }
    declared.set(key, entry);
  }
  return new ConfigDefaults(declared);
}
