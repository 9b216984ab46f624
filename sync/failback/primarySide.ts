import { digestFunction, PRIMARY_OWNED } from "../digest";
import { layout, shq } from "../layout";
import { type StandbyEndpoint, standbySshPrelude } from "../primary/standbySsh";
import { swapDatabaseFunction } from "../swapDatabase";
import { writeWpConfigReader } from "../wpConfigPhp";

const wpconfigHelper = `wpc=$(mktemp)
trap 'rm -f "$wpc"' EXIT
${writeWpConfigReader('"$wpc"')}`;

/** A safety copy of the primary before anything is overwritten: database dump and a hard-linked web root. */
export function renderSafetyCopy(webRoot: string, stamp: string): string {
  return `set -euo pipefail
${wpconfigHelper}
dest=/var/backups/pra/failback-${stamp}
mkdir -p "$dest"
chmod 700 /var/backups/pra "$dest"
db=$(php "$wpc" ${shq(webRoot)}/wp-config.php name)
mariadb-dump --single-transaction --quick --hex-blob --routines --events --triggers --default-character-set=utf8mb4 --max-allowed-packet=1G "$db" | gzip -1 > "$dest/db.sql.gz"
# Hard links cost no space; across filesystems, a real copy.
cp -al ${shq(webRoot)} "$dest/www" 2>/dev/null || { rm -rf "$dest/www"; cp -a ${shq(webRoot)} "$dest/www"; }
echo "pra-failback: safety copy of the primary in $dest"
`;
}

/**
 * Pulls the standby's web root back onto the primary (the primary keeps its own wp-config.php,
 * .htaccess and cache drop-ins), then proves both trees are equal.
 */
export function renderPullFiles(p: { standby: StandbyEndpoint; standbyPrivateKey: string; webRoot: string }): string {
  const excludes = PRIMARY_OWNED.map((f) => `--exclude=${shq(f.slice(1))}`).join(" ");
  return `set -euo pipefail
${standbySshPrelude(p.standby, p.standbyPrivateKey)}
${digestFunction("tree_digest", PRIMARY_OWNED)}
dst=${shq(p.webRoot)}
rc=0
rsync -aH --delete ${excludes} --exclude=/wp-content/cache/ --timeout=300 -e "$standby_ssh" --rsync-path="sudo -n rsync" \\
  "$standby:${layout.current}/www/" "$dst/" || rc=$?
[ "$rc" -eq 0 ] || { echo "pra-failback: rsync from the standby failed (exit $rc)" >&2; exit "$rc"; }
there=$($standby_ssh "$standby" "sudo -n bash -s" <<PRA_REMOTE
$(declare -f tree_digest)
tree_digest ${layout.current}/www
PRA_REMOTE
)
here=$(tree_digest "$dst")
[ "\${there%% *}" = "\${here%% *}" ] || { echo "pra-failback: files differ after the copy (standby $there, primary $here)" >&2; exit 1; }
echo "pra-failback: files back on the primary ($here)"
`;
}

/**
 * Imports the standby's dump (stdin) into a staging schema on the primary, checks every table
 * against the standby's hashes, then swaps it in with one RENAME TABLE.
 */
export function renderImportBack(p: { webRoot: string; hashSql: string; expectedTsv: string }): string {
  return `set -euo pipefail
${wpconfigHelper}
mysql_root() { mariadb --default-character-set=utf8mb4 --max-allowed-packet=1G "$@"; }
${swapDatabaseFunction()}
live=$(php "$wpc" ${shq(p.webRoot)}/wp-config.php name)
staging="\${live}__pra_staging"
mysql_root -e "SET GLOBAL max_allowed_packet = 1073741824"
mysql_root -e "DROP DATABASE IF EXISTS \\\`$staging\\\`; CREATE DATABASE \\\`$staging\\\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
gunzip -c | mysql_root "$staging"
got=$(mysql_root -N -B "$staging" <<'PRA_HASH_SQL' | LC_ALL=C sort
${p.hashSql}
PRA_HASH_SQL
)
want=$(LC_ALL=C sort <<'PRA_EXPECTED'
${p.expectedTsv.trimEnd()}
PRA_EXPECTED
)
if [ "$got" != "$want" ]; then
  diff <(echo "$want") <(echo "$got") >&2 || true
  mysql_root -e "DROP DATABASE \\\`$staging\\\`"
  echo "pra-failback: the copied database differs from the standby's: the primary's database was left as it was" >&2
  exit 1
fi
swap_database "$live" "$staging"
echo "pra-failback: database back on the primary ($(echo "$got" | wc -l) tables verified)"
`;
}
