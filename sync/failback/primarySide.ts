import { clientOptions, type DbEndpoint } from "../dbEndpoint";
import { layout } from "../layout";
import { type StandbyEndpoint, standbySshParams } from "../primary/standbySsh";
import { renderScript, scriptText } from "../scripts";

/** The failback's scripts all speak as pra-failback. */
const tag = { tag: "pra-failback" };

/**
 * A safety copy of the primary before anything is overwritten: database dump (from the server the sync
 * resolved, `db`) and a hard-linked web root.
 */
export function renderSafetyCopy(p: { webRoot: string; stamp: string; db: DbEndpoint }): string {
  return renderScript(
    "failback/safety-copy",
    {
      WPCONFIG_PHP: scriptText("pra-wpconfig.php"),
      DB_CLIENT_OPTIONS: clientOptions(p.db),
      WEB_ROOT: p.webRoot,
      STAMP: p.stamp,
    },
    tag,
  );
}

/** Pulls the standby's web root back onto the primary (which keeps its own config), then proves both trees equal. */
export function renderPullFiles(p: { standby: StandbyEndpoint; standbyPrivateKey: string; webRoot: string }): string {
  return renderScript(
    "failback/pull-files",
    { ...standbySshParams(p.standby, p.standbyPrivateKey), WEB_ROOT: p.webRoot, STANDBY_CURRENT: layout.current },
    tag,
  );
}

/**
 * Imports the standby's dump (stdin) into a staging schema on the primary's server (`db`, as root),
 * checks every table against the standby's hashes, then swaps it in with one RENAME TABLE.
 */
export function renderImportBack(p: { webRoot: string; hashSql: string; expectedTsv: string; db: DbEndpoint }): string {
  return renderScript(
    "failback/import-back",
    {
      WPCONFIG_PHP: scriptText("pra-wpconfig.php"),
      DB_CLIENT_OPTIONS: clientOptions(p.db),
      WEB_ROOT: p.webRoot,
      HASH_SQL: p.hashSql,
      EXPECTED_TSV: p.expectedTsv,
    },
    tag,
  );
}
