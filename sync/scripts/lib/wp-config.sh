# shellcheck shell=bash
# The site's database name and table prefix, read from its own wp-config.php by the PHP helper at
# $wpconfig_reader (the script sets it) and checked by sql_name_ok: both end up in SQL.
#   wp_db_name WP_CONFIG, wp_table_prefix WP_CONFIG, wp_staging_schema WP_CONFIG
wp_db_name() {
  local name
  name=$(php "${wpconfig_reader:?}" "$1" name) || fail "cannot read DB_NAME from $1${name:+: $name}"
  sql_name_ok schema "$name" "DB_NAME in $1"
  echo "$name"
}

wp_table_prefix() {
  local prefix
  prefix=$(php "${wpconfig_reader:?}" "$1" prefix) || fail "cannot read \$table_prefix from $1${prefix:+: $prefix}"
  sql_name_ok prefix "$prefix" "\$table_prefix in $1"
  echo "$prefix"
}

# Where a copy of the database is loaded and verified before it is swapped in.
wp_staging_schema() {
  local name
  name=$(wp_db_name "$1") || exit 1
  sql_name_ok schema "${name}__pra_staging" "the staging schema for DB_NAME in $1 (DB_NAME + __pra_staging)"
  echo "${name}__pra_staging"
}
