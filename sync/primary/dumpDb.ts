import { clientOptions, type DbEndpoint } from "../dbEndpoint";
import { layout } from "../layout";
import { renderScript, scriptText } from "../scripts";
import { type StandbyEndpoint, standbySshParams } from "./standbySsh";

export interface DumpDbParams {
  run: string;
  standby: StandbyEndpoint;
  standbyPrivateKey: string;
  webRoot: string;
  /** The primary's MariaDB, as the sync resolved it (the hashes come from the same server). */
  db: DbEndpoint;
  /** rsync --timeout: seconds without progress before giving up. */
  ioTimeoutSeconds: number;
}

/** The line mariadb-dump --verbose prints once its consistent-snapshot transaction has started. */
export const SNAPSHOT_STARTED = "-- Setting savepoint";

/** What dump-db prints on stdout once the dump is committed on the standby. */
export const DUMP_SENT = /^pra-dump-db: sent (\d+) bytes; dump (\d+) bytes/m;

/**
 * sync/scripts/primary/dump-db.sh: the site's database in one consistent snapshot, sent onto the
 * standby as an rsync delta against the live generation's dump, stored there only once the whole dump
 * has arrived. The sync holds the tables' read lock until SNAPSHOT_STARTED appears on its stderr.
 */
export function renderDumpDb(p: DumpDbParams): string {
  return renderScript("primary/dump-db", {
    ...standbySshParams(p.standby, p.standbyPrivateKey),
    WPCONFIG_PHP: scriptText("pra-wpconfig.php"),
    DB_CLIENT_OPTIONS: clientOptions(p.db),
    RUN: p.run,
    WEB_ROOT: p.webRoot,
    IO_TIMEOUT_SECONDS: p.ioTimeoutSeconds,
    STANDBY_CURRENT: layout.current,
    STANDBY_INCOMING: layout.incoming,
    STANDBY_BIN: layout.bin,
  });
}

/** Reads the site's database credentials as JSON on the primary (for the hashing connection). */
export function renderReadDbCredentials(webRoot: string): string {
  return renderScript("primary/read-db-credentials", {
    WPCONFIG_PHP: scriptText("pra-wpconfig.php"),
    WEB_ROOT: webRoot,
  });
}
