/**
 * Bash function `tree_digest DIR` printing "<sha256> <entries>": the content of every regular file
 * and the target of every symlink, sorted by path, with the page cache left out. The same text runs
 * on the primary and on the standby, so equal digests mean equal trees.
 */
export function digestFunction(): string {
  return `tree_digest() {
  local list
  list=$(mktemp)
  (
    cd "$1"
    find . -path ./wp-content/cache -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    find . -path ./wp-content/cache -prune -o -type l -printf '%p -> %l\\n' | LC_ALL=C sort
  ) > "$list"
  echo "$(sha256sum < "$list" | cut -d' ' -f1) $(wc -l < "$list")"
  rm -f "$list"
}`;
}
