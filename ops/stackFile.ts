import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { RawConfig } from "../config";

/** The `pra:` keys of Pulumi.<stack>.yaml as written, for read-only commands that must work without the passphrase. */
export interface StackFile {
  file: string;
  /** Plain values as strings (lists and maps as JSON); a secret (secure:) reads as undefined. */
  get: RawConfig;
  /** Every key set, without the `pra:` prefix (secrets included). */
  keys: string[];
  /** Every key of the file with its namespace (`pra:`, `openstack:`, ...), secrets included. */
  allKeys: string[];
}

export function stackFilePath(workDir: string, stack: string): string {
  return join(workDir, `Pulumi.${stack}.yaml`);
}

/** Undefined when the file does not exist; throws with the file's name when it is not YAML. */
export function readStackFile(workDir: string, stack: string): StackFile | undefined {
  const file = stackFilePath(workDir, stack);
  if (!existsSync(file)) return undefined;
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  const value = (v: unknown): string | undefined => {
    if (v === null || v === undefined) return undefined;
    if (typeof v === "object" && !Array.isArray(v) && "secure" in v) return undefined;
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  };
  return {
    file,
    get: (key) => value(config[`pra:${key}`]),
    keys: Object.keys(config)
      .filter((k) => k.startsWith("pra:"))
      .map((k) => k.slice(4)),
    allKeys: Object.keys(config),
  };
}
