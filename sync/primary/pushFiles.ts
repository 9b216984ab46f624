import { layout } from "../layout";
import { renderScript } from "../scripts";
import { type StandbyEndpoint, standbySshParams } from "./standbySsh";

/**
 * Where the primary keeps the sha256 of each web root file between nights (lib/tree-digest.sh's cache,
 * root-only): only files changed since are read again.
 */
export const PRIMARY_DIGEST_CACHE = "/var/cache/pra/web-root.digests";

export interface PushFilesParams {
  run: string;
  standby: StandbyEndpoint;
  standbyPrivateKey: string;
  webRoot: string;
  apacheSiteConfig: string;
  /** rsync --timeout: seconds without progress before giving up. */
  ioTimeoutSeconds: number;
  /** The digest cache file (PRIMARY_DIGEST_CACHE; the tests give their own). */
  digestCache: string;
}

/** sync/scripts/primary/push-files.sh: the web root and the Apache site into a new generation on the standby. */
export function renderPushFiles(p: PushFilesParams): string {
  return renderScript("primary/push-files", {
    ...standbySshParams(p.standby, p.standbyPrivateKey),
    RUN: p.run,
    WEB_ROOT: p.webRoot,
    APACHE_SITE_CONFIG: p.apacheSiteConfig,
    IO_TIMEOUT_SECONDS: p.ioTimeoutSeconds,
    DIGEST_CACHE: p.digestCache,
    STANDBY_CURRENT: layout.current,
    STANDBY_INCOMING: layout.incoming,
    STANDBY_BIN: layout.bin,
  });
}
