/** Files a failback leaves to the primary: its own config, and what the standby's clean-up changed. */
export const PRIMARY_OWNED = [
  "./wp-config.php",
  "./.htaccess",
  "./.maintenance",
  "./wp-content/advanced-cache.php",
  "./wp-content/object-cache.php",
];

/**
 * Bash function `tree_digest DIR` printing "<sha256> <entries>": the content of every regular file
 * and the target of every symlink, sorted by path, with the page cache (and any `excluded` paths)
 * left out. The same text runs on both hosts, so equal digests mean equal trees.
 */
export function digestFunction(name = "tree_digest", excluded: string[] = []): string {
  const prune = ["./wp-content/cache", ...excluded].map((p) => `-path '${p}' -prune -o`).join(" ");
  return `${name}() {
  local list
  list=$(mktemp)
  (
    cd "$1"
    find . ${prune} -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    find . ${prune} -type l -printf '%p -> %l\\n' | LC_ALL=C sort
  ) > "$list"
  echo "$(sha256sum < "$list" | cut -d' ' -f1) $(wc -l < "$list")"
  rm -f "$list"
}`;
}
