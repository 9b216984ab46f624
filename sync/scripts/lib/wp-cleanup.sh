# shellcheck shell=bash
# wp_cleanup WWW: makes a copy of the primary's site serve correctly on another machine. WP Super Cache
# in expert mode keeps serving cached pages through .htaccess rewrites even with PHP bypassed, so its
# block, WP_CACHE, the drop-ins and the cache itself all go. An object-cache drop-in may point at the
# primary's Redis. DB_HOST always becomes 'localhost', the standby's own MariaDB on its default socket,
# whatever the primary used (127.0.0.1:13306, a remote host, localhost:/a/socket): the copy was imported
# there, and nothing else listens on the standby. Safe to run on a copy that has
# none of these, and to run twice. Edits replace files (sed -i, rm) rather than writing in place, so
# hard links shared with older generations stay untouched.
# The files wp_cleanup (and point_at_schema, for wp-config.php) may edit or remove, relative to WWW: a
# copy linked from a live generation (pra-link-live) gets these from the primary again.
# shellcheck disable=SC2034 # read by push-files.sh
wp_cleanup_edits=(wp-config.php .htaccess wp-content/advanced-cache.php wp-content/object-cache.php)
wp_cleanup() {
  local www="$1"
  if [ -f "$www/.htaccess" ] && grep -q '^# BEGIN WPSuperCache' "$www/.htaccess"; then
    sed -i '/^# BEGIN WPSuperCache/,/^# END WPSuperCache/d' "$www/.htaccess"
    say "removed the WPSuperCache block from .htaccess"
  fi
  if grep -Eq "define\(\s*['\"]WP_CACHE['\"]" "$www/wp-config.php"; then
    sed -i -E "/define\(\s*['\"]WP_CACHE['\"]/d" "$www/wp-config.php"
    say "removed WP_CACHE from wp-config.php"
  fi
  if ! grep -Eq "define\(\s*['\"]DB_HOST['\"]\s*,\s*['\"]localhost['\"]" "$www/wp-config.php"; then
    sed -i -E "s/(define\(\s*['\"]DB_HOST['\"]\s*,\s*)['\"][^'\"]*['\"]/\1'localhost'/" "$www/wp-config.php"
    say "pointed DB_HOST at the standby's own MariaDB"
  fi
  rm -f "$www/wp-content/advanced-cache.php" "$www/wp-content/object-cache.php"
  if [ -d "$www/wp-content/cache" ]; then
    find "$www/wp-content/cache" -mindepth 1 -delete
  fi
  chown -R www-data:www-data "$www"
}
