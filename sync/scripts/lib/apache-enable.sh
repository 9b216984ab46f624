# shellcheck shell=bash
# Enables Apache modules and sites only when they are not enabled yet, and disables a site only when it
# is: a2enmod, a2ensite and a2dissite are Perl programs (tens of ms each), and a switch calls them about
# ten times, nearly always for nothing. Debian's layout (/etc/apache2/{mods,sites}-enabled), which those
# tools write; an enabled module's dependencies were enabled with it. PRA_APACHE_ETC points it elsewhere
# (the tests do; sudo does not pass it on).
apache_etc="${PRA_APACHE_ETC:-/etc/apache2}"

apache_mods_on() {
  local mod missing=()
  for mod in "$@"; do [ -e "$apache_etc/mods-enabled/$mod.load" ] || missing+=("$mod"); done
  [ ${#missing[@]} -eq 0 ] || a2enmod -q "${missing[@]}" >/dev/null
}

apache_site_on() { [ -e "$apache_etc/sites-enabled/$1.conf" ] || a2ensite -q "$1" >/dev/null; }

apache_site_off() {
  local link="$apache_etc/sites-enabled/$1.conf"
  if [ -e "$link" ] || [ -L "$link" ]; then a2dissite -q "$1" >/dev/null 2>&1 || true; fi
}
