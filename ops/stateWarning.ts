/**
 * `tsx ops/stateWarning.ts STACK [WORK_DIR]`: prints stateLocation's warning for the stack's backend
 * (to stderr, nothing when the state lives off this machine), so scripts/up says exactly what the
 * nightly job and `status` say. Always exits 0: a warning, not a refusal.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { projectDefaults } from "../config";
import { stateLocation } from "./stateLocation";

/** pra:source as the stack file sets it, else its declared default. */
export function stackSource(workDir: string, stack: string): string {
  try {
    const doc = parse(readFileSync(join(workDir, `Pulumi.${stack}.yaml`), "utf8")) as {
      config?: Record<string, unknown>;
    } | null;
    const value = doc?.config?.["pra:source"];
    if (typeof value === "string") return value;
  } catch {
    // An unreadable stack file is scripts/up's own error to report; the default judges meanwhile.
  }
  return projectDefaults().string("source");
}

if (require.main === module) {
  const [stack = "dev", workDir = "."] = process.argv.slice(2);
  const location = stateLocation(process.env, { source: stackSource(resolve(workDir), stack) });
  if (location.warning) process.stderr.write(`\n${location.warning}\n\n`);
}
