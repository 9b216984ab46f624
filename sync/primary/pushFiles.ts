import { layout } from "../layout";
import { renderScript } from "../scripts";
import { type StandbyEndpoint, standbySshParams } from "./standbySsh";

export interface PushFilesParams {
  run: string;
  standby: StandbyEndpoint;
  standbyPrivateKey: string;
  webRoot: string;
  apacheSiteConfig: string;
  /** rsync --timeout: seconds without progress before giving up. */
  ioTimeoutSeconds: number;
}

/** sync/scripts/primary/push-files.sh: the web root and the Apache site into a new generation on the standby. */
export function renderPushFiles(p: PushFilesParams): string {
  return renderScript("primary/push-files", {
    ...standbySshParams(p.standby, p.standbyPrivateKey),
    RUN: p.run,
    WEB_ROOT: p.webRoot,
    APACHE_SITE_CONFIG: p.apacheSiteConfig,
    IO_TIMEOUT_SECONDS: p.ioTimeoutSeconds,
    STANDBY_CURRENT: layout.current,
    STANDBY_INCOMING: layout.incoming,
    STANDBY_BIN: layout.bin,
  });
}
