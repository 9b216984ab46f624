import { createHash } from "node:crypto";
import { layout } from "../layout";
import { renderScript, scriptText } from "../scripts";
import { FAILED_TAG, NEWEST_POST_TAG, RECOVERY_POINTS_TAG, TLS_CA_TAG } from "../verifyReport";
import type { StandbyParams } from "./params";

/**
 * Every standby script by its file name in the volume's bin directory (sync/scripts/standby/pra-*.sh
 * rendered, and the PHP helper that reads wp-config.php).
 */
export function standbyScripts(p: StandbyParams): Record<string, string> {
  const data = { DATA_MOUNT: layout.data };
  const site = {
    SITE_HOST: p.siteHostname,
    PREVIEW_ADDRESS: layout.previewAddress,
    PREVIEW_CONFIG: layout.previewConfig,
  };
  return {
    "pra-wpconfig.php": scriptText("pra-wpconfig.php"),
    "pra-receive": renderScript("standby/pra-receive", data),
    "pra-link-live": renderScript("standby/pra-link-live", data),
    "pra-import": renderScript("standby/pra-import", data),
    "pra-switch": renderScript("standby/pra-switch", { ...data, ...site, MAX_DELETE_PERCENT: p.maxDeletePercent }),
    "pra-restore": renderScript("standby/pra-restore", { ...data, ...site }),
    "pra-activate": renderScript("standby/pra-activate", {
      ...data,
      WEB_ROOT: p.webRoot,
      SITE_CONFIG: layout.siteConfig,
      PREVIEW_CONFIG: layout.previewConfig,
    }),
    "pra-verify": renderScript("standby/pra-verify", {
      ...data,
      SITE_HOST: p.siteHostname,
      NEWEST_POST_TAG,
      RECOVERY_POINTS_TAG,
      FAILED_TAG,
      TLS_CA_TAG,
      KEEP: p.keep,
    }),
  };
}

/** The body of a script sent as its sha256 alone (no script is a lone "=": each starts with #! or <?php). */
const NOT_SENT = "=";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** How the ready check reports a script installed on the volume (its sha256 and name), one per line. */
const INSTALLED_LINE = /^pra-ready: installed ([0-9a-f]{64}) ([A-Za-z0-9._-]+)$/gm;

/** The line sync/runner/ready.ts logs for each script the standby's bin directory holds. */
export function installedLine(sha: string, name: string): string {
  return `pra-ready: installed ${sha} ${name}`;
}

/** The scripts the ready step's output says are installed: name -> sha256. */
export function installedScripts(readyOutput: string | undefined): Record<string, string> {
  return Object.fromEntries([...(readyOutput ?? "").matchAll(INSTALLED_LINE)].map((m) => [m[2], m[1]]));
}

/**
 * The installer (sent on stdin to `sudo bash -s`): writes the scripts onto the data volume, each
 * atomically. The volume carries them, so a replaced instance finds pra-activate at boot. Given what
 * the ready check found installed (name -> sha256), a script already there travels as its sha256
 * alone (body \"=\"), which the installer checks again; the others travel whole.
 */
export function renderInstaller(p: StandbyParams, installed: Record<string, string> = {}): string {
  const scripts = standbyScripts(p);
  const names = Object.keys(scripts);
  const shas = names.map((name) => sha256(scripts[name]));
  return renderScript("standby/install", {
    DATA_MOUNT: layout.data,
    SCRIPT_NAMES: names,
    SCRIPT_SHA256S: shas,
    SCRIPT_BODIES: names.map((name, i) => (installed[name] === shas[i] ? NOT_SENT : scripts[name])),
  });
}
