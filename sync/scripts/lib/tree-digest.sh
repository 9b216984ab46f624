# shellcheck shell=bash
# tree_digest DIR [EXCLUDED...] prints "<sha256> <entries>": the content of every regular file and the
# target of every symlink, sorted by path, with the page cache (and any EXCLUDED path, written
# ./relative/path) left out. The same function runs on both hosts, so equal digests mean equal trees.
tree_digest() {
  local dir="$1" list excluded
  shift
  local prune=(-path ./wp-content/cache -prune -o)
  for excluded in "$@"; do prune+=(-path "$excluded" -prune -o); done
  list=$(mktemp)
  (
    cd "$dir" || exit 1
    find . "${prune[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    find . "${prune[@]}" -type l -printf '%p -> %l\n' | LC_ALL=C sort
  ) > "$list"
  echo "$(sha256sum < "$list" | cut -d' ' -f1) $(wc -l < "$list")"
  rm -f "$list"
}
