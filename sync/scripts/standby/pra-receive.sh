#!/bin/bash
# pra-receive RUN NAME: stores stdin as incoming/RUN/NAME, atomically (a cut stream leaves no NAME).
# Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"

run="${1:?usage: pra-receive RUN NAME}"; name="${2:?usage: pra-receive RUN NAME}"
run_id_ok "$run"
[[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || fail "bad file name '$name'"
dir="$DATA/incoming/$run"
mkdir -p "$dir"
cat > "$dir/$name.partial"
sync "$dir/$name.partial"
mv -f "$dir/$name.partial" "$dir/$name"
say "received $name ($(stat -c %s "$dir/$name") bytes)"
