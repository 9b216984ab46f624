# shellcheck shell=bash
# On the primary the PHP helper that reads wp-config.php (sync/scripts/pra-wpconfig.php) arrives in the
# generated header as WPCONFIG_PHP; it is written into the private temp dir (private-tmp.sh).
: "${WPCONFIG_PHP:?}" "${pra_tmp:?}"
wpconfig_reader="$pra_tmp/wpconfig.php"
printf '%s' "$WPCONFIG_PHP" > "$wpconfig_reader"
