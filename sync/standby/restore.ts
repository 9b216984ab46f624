import { swapDatabaseFunction } from "../swapDatabase";
import { prelude } from "./params";

/**
 * pra-restore RUN: makes an older recovery point live (failover onto a chosen point): re-imports its
 * dump into staging with the same hash verification as a sync, flips `current`, swaps the database.
 * Nothing changes until the verification passed.
 */
export function renderRestore(): string {
  return `${prelude("restore")}
${swapDatabaseFunction()}
run="\${1:?usage: pra-restore RUN}"
run_id_ok "$run"
gen="$DATA/generations/$run"
[ -d "$gen" ] || fail "no recovery point $run; kept: $(ls -1t "$DATA/generations" | tr '\\n' ' ')"
if [ "$(readlink "$DATA/current")" = "generations/$run" ]; then say "recovery point $run is already live"; exit 0; fi
rm -f "$gen/db-verified"
"$BIN/pra-import" "$run"
live=$(php "$BIN/pra-wpconfig.php" "$gen/www/wp-config.php" name)
ln -sfn "generations/$run" "$DATA/current.new"
mv -Tf "$DATA/current.new" "$DATA/current"
swap_database "$live" "\${live}__pra_staging"
say "recovery point $run is live"
`;
}
