import { layout, shq } from "../layout";
import { writeWpConfigReader } from "../wpConfigPhp";
import { type StandbyEndpoint, standbySshPrelude } from "./standbySsh";

export interface DumpDbParams {
  run: string;
  standby: StandbyEndpoint;
  standbyPrivateKey: string;
  webRoot: string;
}

/** The line mariadb-dump --verbose prints once its consistent-snapshot transaction has started. */
export const SNAPSHOT_STARTED = "-- Setting savepoint";

/**
 * Runs as root on the primary. Dumps the site's database (credentials from its own wp-config.php,
 * through a 0600 option file, never argv) in one consistent InnoDB snapshot, compresses it and
 * streams it straight onto the standby, where it is stored atomically. --verbose progress goes to
 * stderr: the sync holds the tables' read lock until SNAPSHOT_STARTED appears there.
 */
export function renderDumpDb(p: DumpDbParams): string {
  return `#!/bin/bash
set -euo pipefail
${standbySshPrelude(p.standby, p.standbyPrivateKey)}
${writeWpConfigReader('"$pra_tmp/wpconfig.php"')}
wp_config=${shq(p.webRoot)}/wp-config.php
db=$(php "$pra_tmp/wpconfig.php" "$wp_config" name)
php "$pra_tmp/wpconfig.php" "$wp_config" client-cnf > "$pra_tmp/client.cnf"
mariadb-dump --defaults-extra-file="$pra_tmp/client.cnf" --verbose \\
  --single-transaction --quick --hex-blob --routines --events --triggers \\
  --default-character-set=utf8mb4 --max-allowed-packet=1G --skip-comments \\
  "$db" | gzip -1 | $standby_ssh "$standby" "sudo -n ${layout.bin}/pra-receive ${p.run} dump.sql.gz"
`;
}

/** Reads the site's database credentials as JSON on the primary (for the hashing connection). */
export function renderReadDbCredentials(webRoot: string): string {
  return `#!/bin/bash
set -euo pipefail
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
${writeWpConfigReader('"$tmp/wpconfig.php"')}
php "$tmp/wpconfig.php" ${shq(webRoot)}/wp-config.php json
`;
}
