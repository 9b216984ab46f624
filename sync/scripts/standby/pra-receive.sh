#!/bin/bash
# pra-receive RUN NAME [--sha256 HEX | --partial | --commit HEX | --discard]: stores stdin under
# incoming/RUN/NAME. The file exists under its final name only once it is complete and proven so.
#   (no option)     stores stdin, then renames it to NAME (a cut stream leaves no NAME);
#   --sha256 HEX    the same, but only when what arrived has that sha256 (the sender knew the body);
#   --partial       stores stdin as NAME.partial and stops there: a stream whose producer may still
#                   fail (the dump) is not committed by the mere end of its input;
#   --commit HEX    renames NAME.partial to NAME when its sha256 is HEX: the sender computes HEX over
#                   what it sent and calls this only when the producer exited 0. Otherwise the partial
#                   file goes and nothing is stored;
#   --discard       removes NAME.partial (a sender whose producer failed).
# NAME.partial may also be a directory holding NAME: rsync delivers the dump there, so that the file
# keeps its name for rsync's delta basis (dump-db.sh); --commit and --discard treat it the same way.
# Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"

usage="usage: pra-receive RUN NAME [--sha256 HEX | --partial | --commit HEX | --discard]"
run="${1:?$usage}"; name="${2:?$usage}"; mode="${3:-}"; want="${4:-}"
run_id_ok "$run"
[[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || fail "bad file name '$name'"
case "$mode" in
  ""|--partial|--discard) [ $# -le 3 ] || fail "$usage" ;;
  --sha256|--commit) [[ "$want" =~ ^[0-9a-f]{64}$ ]] || fail "$mode needs a sha256 (64 hex digits), not '$want'" ;;
  *) fail "$usage" ;;
esac
dir="$DATA/incoming/$run"
partial="$dir/$name.partial"

sha_of() { sha256sum < "$1" | cut -d' ' -f1; }
commit() {
  local body="$partial"
  [ -d "$partial" ] && body="$partial/$name"
  if [ -n "$want" ]; then
    local got
    got=$(sha_of "$body")
    if [ "$got" != "$want" ]; then
      rm -rf "$partial"
      fail "$name: what arrived (sha256 $got) is not what was sent (sha256 $want): nothing stored"
    fi
  fi
  sync "$body"
  mv -f "$body" "$dir/$name"
  rm -rf "$partial"
  say "received $name ($(stat -c %s "$dir/$name") bytes)"
}

case "$mode" in
  --discard)
    rm -rf "$partial"
    say "discarded $name.partial"
    ;;
  --commit)
    [ -f "$partial" ] || [ -f "$partial/$name" ] || fail "$name: nothing was received to commit"
    commit
    ;;
  *)
    mkdir -p "$dir"
    rm -rf "${dir:?}/${name:?}" "$partial"
    cat > "$partial"
    if [ "$mode" = --partial ]; then
      say "kept $name.partial ($(stat -c %s "$partial") bytes) until the sender commits it"
    else
      commit
    fi
    ;;
esac
