# shellcheck shell=bash
# swap_database LIVE STAGING: makes the verified staging schema live with one multi-table RENAME TABLE
# (all-or-nothing; the old tables leave in the same statement), then drops the old tables. Schema
# names must pass sql_name_ok; table names (from the server itself) are quoted, backticks doubled.
swap_database() {
  local live="$1" staging="$2" old="$1__pra_old" tables current rename="" t
  sql_name_ok schema "$live" "swap_database: the live schema"
  sql_name_ok schema "$staging" "swap_database: the staging schema"
  sql_name_ok schema "$old" "swap_database: the old schema (live + __pra_old)"
  tables=$(mysql_root -N -B -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$staging'")
  [ -n "$tables" ] || { echo "swap_database: $staging has no tables" >&2; return 1; }
  current=$(mysql_root -N -B -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$live'")
  mysql_root -e "DROP DATABASE IF EXISTS \`$old\`; CREATE DATABASE \`$old\`; CREATE DATABASE IF NOT EXISTS \`$live\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  while read -r t; do
    t=${t//\`/\`\`}
    [ -z "$t" ] || rename+="\`$live\`.\`$t\` TO \`$old\`.\`$t\`, "
  done <<< "$current"
  while read -r t; do
    t=${t//\`/\`\`}
    rename+="\`$staging\`.\`$t\` TO \`$live\`.\`$t\`, "
  done <<< "$tables"
  mysql_root -e "RENAME TABLE ${rename%, }"
  mysql_root -e "DROP DATABASE \`$old\`; DROP DATABASE \`$staging\`"
}
