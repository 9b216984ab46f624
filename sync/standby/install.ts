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

/**
 * The installer (sent on stdin to `sudo bash -s`): writes the scripts onto the data volume, each
 * atomically. The volume carries them, so a replaced instance finds pra-activate at boot.
 */
export function renderInstaller(p: StandbyParams): string {
  const scripts = standbyScripts(p);
  return renderScript("standby/install", {
    DATA_MOUNT: layout.data,
    SCRIPT_NAMES: Object.keys(scripts),
    SCRIPT_BODIES: Object.values(scripts),
  });
}
