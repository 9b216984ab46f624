# shellcheck shell=bash
# Where the standby's data volume is: DATA_MOUNT from the generated header (sync/layout.ts). PRA_DATA
# points the scripts at another directory (the tests do; sudo does not pass it on).
: "${DATA_MOUNT:?}"
DATA="${PRA_DATA:-$DATA_MOUNT}"
BIN="$DATA/bin"
# shellcheck disable=SC2034 # read by wp-config.sh, which the scripts source after this file
wpconfig_reader="$BIN/pra-wpconfig.php"
