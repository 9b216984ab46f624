import { layout } from "../layout";

const wpconfig = `php ${layout.bin}/pra-wpconfig.php ${layout.current}/www/wp-config.php`;

/**
 * What changed on the standby since its recovery point was taken: posts and pages edited or
 * created, comments, uploads. Tab-separated lines: kind, id, detail...
 */
export function renderChangesReport(): string {
  return `set -euo pipefail
live=$(${wpconfig} name)
prefix=$(${wpconfig} prefix)
snap=$(php -r '$r = json_decode(file_get_contents($argv[1]), true); echo substr(str_replace("T", " ", $r["snapshotTime"]), 0, 19);' ${layout.current}/record.json)
echo "since	$snap"
mariadb -N -B "$live" <<SQL
SELECT 'post', ID, post_type, post_status, REPLACE(post_title, '\\t', ' '), post_modified_gmt FROM \\\`\${prefix}posts\\\`
  WHERE post_modified_gmt > '$snap' AND post_type IN ('post', 'page', 'attachment') ORDER BY ID;
SELECT 'comment', comment_ID, comment_post_ID, REPLACE(comment_author, '\\t', ' '), LEFT(REPLACE(REPLACE(comment_content, '\\n', ' '), '\\t', ' '), 60), comment_date_gmt
  FROM \\\`\${prefix}comments\\\` WHERE comment_date_gmt > '$snap' ORDER BY comment_ID;
SQL
if [ -d ${layout.current}/www/wp-content/uploads ]; then
  find ${layout.current}/www/wp-content/uploads -type f -newermt "$snap UTC" -printf 'upload\\t%P\\t%s\\n' | LC_ALL=C sort
fi
`;
}

/**
 * Puts WordPress on the standby into (or out of) maintenance: while its data is copied back, no new
 * post or comment may land where it would be lost. The timestamp is far ahead because WordPress
 * ignores a .maintenance older than ten minutes.
 */
export function renderMaintenance(on: boolean): string {
  const file = `${layout.current}/www/.maintenance`;
  return on
    ? `set -euo pipefail\necho '<?php $upgrading = 4102444800; // PRA failback in progress' > ${file}\nchown www-data:www-data ${file}\n`
    : `set -euo pipefail\nrm -f ${file}\n`;
}

/** Base tables and their columns in the standby's live schema, for the hash SQL. */
export function renderColumnList(): string {
  return `set -euo pipefail
live=$(${wpconfig} name)
mariadb -N -B -e "SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = '$live' AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION"
`;
}

/** Runs hash SQL (on stdin) against the standby's live schema. */
export function renderRunHashes(): string {
  return `set -euo pipefail
live=$(${wpconfig} name)
mariadb -N -B --default-character-set=utf8mb4 "$live"
`;
}

/** Streams a consistent dump of the standby's live schema to stdout, compressed. */
export function renderDumpStandby(): string {
  return `set -euo pipefail
live=$(${wpconfig} name)
mariadb-dump --single-transaction --quick --hex-blob --routines --events --triggers --default-character-set=utf8mb4 --max-allowed-packet=1G --skip-comments "$live" | gzip -1
`;
}
