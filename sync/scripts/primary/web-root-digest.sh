#!/bin/bash
# web-root-digest: prints tree_digest of the web root (WEB_ROOT), exactly as a sync's recovery point
# records it (the nightly job's fingerprint). Runs as root on the primary, with the script on stdin.
set -euo pipefail
# shellcheck source=../lib/tree-digest.sh
source "$PRA_LIB/tree-digest.sh"
: "${WEB_ROOT:?}"

tree_digest "$WEB_ROOT"
