# shellcheck shell=bash
# Sourced by the fixture's bin/pulumi (bash). Answers the read-only commands the Automation API runs
# most often (version, stack select/output/history) in bash, because a node start per command made the
# tests slow; everything that reads or writes config (config, up, preview) goes to fakePulumi.cjs.
# Both log every argv and cwd to $FAKE_PULUMI_DIR/log.jsonl.

json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

log_argv() {
  local out='{"argv":[' sep='' a
  for a in "$@"; do
    out+="$sep$(json_string "$a")"
    sep=','
  done
  out+='],"cwd":'"$(json_string "$PWD")"'}'
  printf '%s\n' "$out" >>"$FAKE_PULUMI_DIR/log.jsonl"
}

flag_value() {
  local want=$1 prev=''
  shift
  for a in "$@"; do
    [ "$prev" = "$want" ] && { printf '%s' "$a"; return; }
    prev=$a
  done
}

case "$1 ${2:-}" in
  "version "*)
    log_argv "$@"
    cat "$FAKE_PULUMI_DIR/version" 2>/dev/null || echo v3.248.0
    exit 0
    ;;
  "stack select")
    log_argv "$@"
    stack=$(flag_value --stack "$@")
    if ! grep -qxF -- "$stack" "$FAKE_PULUMI_DIR/stacks"; then
      # exit 6, as the real CLI 3.248.0 ends a select of a missing stack
      echo "error: no stack named '$stack' found" >&2
      exit 6
    fi
    exit 0
    ;;
  "stack output")
    log_argv "$@"
    case " $* " in
      *" --show-secrets "*) cat "$FAKE_PULUMI_DIR/outputs.plain.json" ;;
      *) cat "$FAKE_PULUMI_DIR/outputs.masked.json" ;;
    esac
    exit 0
    ;;
  "stack history")
    # the newest update only: the Automation API asks with --page-size 1
    log_argv "$@"
    cat "$FAKE_PULUMI_DIR/history.json"
    exit 0
    ;;
esac
exec "$FAKE_PULUMI_NODE" "$FAKE_PULUMI_CJS" "$@"
