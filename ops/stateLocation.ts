import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where the stack's Pulumi state lives, and whether that survives the loss of this machine. */
export interface StateLocation {
  /** The backend URL the pulumi CLI uses (PULUMI_BACKEND_URL, else the current login, else scripts/up's default). */
  url: string;
  /** `local`: a file backend; `s3`: an S3-compatible bucket; `cloud`: Pulumi Cloud (or a self-hosted service). */
  kind: "local" | "s3" | "cloud" | "other";
  /** The state is a file on this machine: gone with it. */
  onThisMachine: boolean;
  /** Set when the state would not survive the machine it is on; meant to be printed loudly. */
  warning?: string;
}

/** The backend scripts/up logs in to when nothing else is chosen. */
export function defaultBackendUrl(env: NodeJS.ProcessEnv): string {
  return `file://${env.HOME || homedir()}/.pulumi-pra`;
}

/**
 * The backend the CLI will use: PULUMI_BACKEND_URL wins over the login stored in
 * $PULUMI_HOME/credentials.json (`current`); with neither, scripts/up's default. (A `backend:` in
 * Pulumi.yaml would win over both: PRA's Pulumi.yaml has none on purpose.)
 */
export function backendUrl(env: NodeJS.ProcessEnv): string {
  if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
  const pulumiHome = env.PULUMI_HOME || join(env.HOME || homedir(), ".pulumi");
  try {
    // Only `current` is read: the file also holds access tokens, which never leave it.
    const current = (JSON.parse(readFileSync(join(pulumiHome, "credentials.json"), "utf8")) as { current?: unknown })
      .current;
    if (typeof current === "string" && current !== "") return current;
  } catch {
    // No login yet (or an unreadable file): the CLI would ask to log in; scripts/up logs in to the default.
  }
  return defaultBackendUrl(env);
}

function kindOf(url: string): StateLocation["kind"] {
  if (url.startsWith("file:") || url.startsWith("/") || url.startsWith("~")) return "local";
  if (url.startsWith("s3:")) return "s3";
  if (/^https?:\/\//.test(url)) return "cloud";
  return "other";
}

const FIX =
  "Move it off this machine before you rely on the standby: `npm run state:setup` (an S3 bucket in your " +
  'cloud\'s object storage, docs/RUNBOOK.md "Where state and secrets live"), or `pulumi login` to Pulumi Cloud.';

/**
 * Where the state lives and how loudly to warn about it. A local file on the primary (`source: local`)
 * burns with the primary, which is exactly the day the failover needs it; a local file elsewhere still
 * ties the failover to one machine that must be reachable on that day.
 */
export function stateLocation(env: NodeJS.ProcessEnv, settings?: { source?: string }): StateLocation {
  const url = backendUrl(env);
  const kind = kindOf(url);
  if (kind !== "local") return { url, kind, onThisMachine: false };
  const where = url.replace(/^file:\/\//, "");
  const warning =
    settings?.source === "local"
      ? `WARNING: the Pulumi state is a local file on the primary (${where}, pra:source is local). ` +
        `When the primary dies, the failover has no state to run on. ${FIX}`
      : `WARNING: the Pulumi state is a local file on this machine (${where}). A failover needs it: ` +
        `if this machine is lost or out of reach, there is no state to run on. ${FIX}`;
  return { url, kind, onThisMachine: true, warning };
}
