import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where the stack's state lives, and whether it would burn with the primary. (Minimal version from the
 * status work; the state/failover work owns this file and replaces it.)
 */
export interface StateLocation {
  url: string;
  kind: "local" | "s3" | "cloud" | "other";
  /** The state is a file on this machine. */
  onThisMachine: boolean;
  /** Set when a failover could not find the state once the primary is gone. */
  warning?: string;
}

/** The backend the CLI would use: PULUMI_BACKEND_URL, else the one it is logged in to, else scripts/up's default. */
function backendUrl(env: NodeJS.ProcessEnv): string {
  if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
  const home = env.HOME || homedir();
  try {
    const creds = JSON.parse(readFileSync(join(env.PULUMI_HOME || join(home, ".pulumi"), "credentials.json"), "utf8"));
    if (typeof creds?.current === "string" && creds.current !== "") return creds.current;
  } catch {
    // not logged in anywhere: scripts/up would log in to its default
  }
  return `file://${join(home, ".pulumi-pra")}`;
}

export function stateLocation(env: NodeJS.ProcessEnv, settings?: { source?: string }): StateLocation {
  const url = backendUrl(env);
  if (url.startsWith("file://")) {
    const onPrimary = settings?.source === "local";
    return {
      url,
      kind: "local",
      onThisMachine: true,
      warning: onPrimary
        ? `the state is a local file (${url}) on the primary itself (source: local): when the primary dies, ` +
          "a failover has no state to run on. Move it to object storage or Pulumi Cloud (docs/RUNBOOK.md, State)"
        : `the state is a local file (${url}): a failover must run on this machine. Keep it off the primary ` +
          "(object storage or Pulumi Cloud, docs/RUNBOOK.md, State)",
    };
  }
  if (url.startsWith("s3://")) return { url, kind: "s3", onThisMachine: false };
  if (/^https:\/\/(api|app)\.pulumi\.com/.test(url)) return { url, kind: "cloud", onThisMachine: false };
  return { url, kind: "other", onThisMachine: false };
}
