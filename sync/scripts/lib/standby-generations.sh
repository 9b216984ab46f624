# shellcheck shell=bash
# What every standby script that changes or proves generations needs: the live site's helpers, the
# fault points and the generation bookkeeping (current, pending, verified).
# shellcheck source=../lib/standby-site.sh
source "$PRA_LIB/standby-site.sh"
# shellcheck source=../lib/fault-point.sh
source "$PRA_LIB/fault-point.sh"
# shellcheck source=../lib/generations.sh
source "$PRA_LIB/generations.sh"
