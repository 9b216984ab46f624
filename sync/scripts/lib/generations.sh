# shellcheck shell=bash
# Which generation serves, and going back to the last good one. Each generation has its own schema
# (its wp-config.php's DB_NAME names it), so one flip of the `current` symlink switches files and
# database together, and a rollback is a flip back.
#   $DATA/verified -> generations/RUN: the last generation proved live through the real site (pra-verify).
#   $DATA/pending  -> generations/RUN: a generation made live but not proved yet. Whoever finds it still
#                     live (the next switch, pra-activate at boot) flips back to `verified`.
# Needs common.sh, standby-data.sh, sql-names.sh and wp-config.sh.

# gen_schema RUN: the generation's schema, pra_RUN (a run id with a dot, or too long, is hashed).
gen_schema() {
  local run="$1" name
  if [[ $run =~ ^[A-Za-z0-9_-]{1,60}$ ]]; then
    name="pra_$run"
  else
    name="pra-$(printf '%s' "$run" | md5sum | cut -c1-32)"
  fi
  sql_name_ok schema "$name" "the schema of run $run"
  echo "$name"
}

# point_at_schema WP_CONFIG SCHEMA: the copy's DB_NAME becomes SCHEMA (sed -i replaces the file, so hard
# links shared with older generations stay untouched), read back through PHP to be sure it took.
point_at_schema() {
  local config="$1" schema="$2" got
  sql_name_ok schema "$schema" "point_at_schema"
  sed -i -E "s/(define\(\s*['\"]DB_NAME['\"]\s*,\s*)['\"][^'\"]*['\"]/\1'$schema'/" "$config"
  got=$(wp_db_name "$config")
  [ "$got" = "$schema" ] || fail "could not point DB_NAME in $config at $schema (it reads '$got'): is DB_NAME defined as a plain string?"
}

# link_atomically TARGET NAME: $DATA/NAME -> TARGET, replaced in one rename.
link_atomically() {
  ln -sfn "$1" "$DATA/$2.new"
  mv -Tf "$DATA/$2.new" "$DATA/$2"
}

link_of() { readlink "$DATA/$1" 2>/dev/null || true; }

# rollback_unverified: when the pending generation is still live, `current` goes back to `verified`.
# Nothing to go back to (the first generation ever) keeps it live and pending.
rollback_unverified() {
  local pending current verified
  pending=$(link_of pending)
  [ -n "$pending" ] || return 0
  current=$(link_of current)
  verified=$(link_of verified)
  if [ "$current" != "$pending" ]; then
    rm -f "$DATA/pending"
  elif [ -n "$verified" ] && [ "$verified" != "$pending" ] && [ -d "$DATA/$verified/www" ]; then
    link_atomically "$verified" current
    rm -f "$DATA/pending"
    say "rolled back: $pending was live but never verified; $verified serves again"
  fi
}

# mark_verified: the live generation passed pra-verify: it is the one to come back to.
mark_verified() {
  link_atomically "$(link_of current)" verified
  rm -f "$DATA/pending"
}

# adopt_verified: a volume written before `verified` existed: what served until now is the way back.
adopt_verified() {
  local current
  current=$(link_of current)
  if [ -z "$(link_of verified)" ] && [ -z "$(link_of pending)" ] && [ -n "$current" ]; then
    link_atomically "$current" verified
  fi
}
