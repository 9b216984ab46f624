# shellcheck shell=bash
# Names that reach SQL as identifiers (in backticks) or inside string literals must be plain names:
# the database name and table prefix read from wp-config.php, and the staging and old schemas derived
# from the database name. Anything else is refused before any SQL runs, naming where it came from.
#   sql_name_ok schema|prefix VALUE WHERE_IT_CAME_FROM
# A hyphen is accepted in a schema name (not first: it would read as an option on a client's argv).
sql_name_ok() {
  local kind="$1" value="$2" from="$3" pattern allowed
  case "$kind" in
    schema)
      pattern='^[A-Za-z0-9_$][A-Za-z0-9_$-]{0,63}$'
      allowed='1 to 64 letters, digits, _, $ or - (not first)'
      ;;
    prefix)
      pattern='^[A-Za-z0-9_]{0,64}$'
      allowed='up to 64 letters, digits or _'
      ;;
    *) fail "sql_name_ok: unknown kind '$kind'" ;;
  esac
  [[ $value =~ $pattern ]] || fail "$from: '$value' is not a plain $kind name ($allowed): refusing to use it in SQL"
}
