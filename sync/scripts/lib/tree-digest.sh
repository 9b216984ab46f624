# shellcheck shell=bash
# tree_digest DIR [EXCLUDED...] prints "<sha256> <entries>": the content of every regular file and the
# target of every symlink, sorted by path, with the page cache (and any EXCLUDED path, written
# ./relative/path) left out. The same function runs on both hosts, so equal digests mean equal trees.
# With tree_digest_cache set to a file, a file whose path, inode, size and modification time (in ns)
# are those the cache recorded is not read again: its sha256 comes from the cache, as rsync's own quick
# check trusts size and time alone. Only what changed (new inode or time: every write, every rsync
# transfer) is hashed, and the cache is rewritten with this tree's files. The digest is the same either
# way; a name holding a newline or a backslash is always hashed.
tree_digest() {
  local dir="$1" list excluded cache="${tree_digest_cache:-}"
  shift
  local prune=(-path ./wp-content/cache -prune -o)
  for excluded in "$@"; do prune+=(-path "$excluded" -prune -o); done
  list=$(mktemp)
  (
    cd "$dir" || exit 1
    if [ -z "$cache" ] || [ -n "$(find . "${prune[@]}" -name $'*\n*' -print -quit)" ]; then
      find . "${prune[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    else
      # "inode size mtime path" lines in path order (the order of sort -z above), the cache's key.
      stats=$(mktemp) todo=$(mktemp) fresh=$(mktemp)
      [ -f "$cache" ] || : > "$cache"
      find . "${prune[@]}" -type f -printf '%i %s %T@ %p\n' | LC_ALL=C sort -t ' ' -k4 > "$stats"
      # The files the cache does not know, in that order: sha256sum keeps it.
      LC_ALL=C awk 'FILENAME == ARGV[1] { known[substr($0, 66)] = 1; next }
        !($0 in known) || index($0, "\\") { sub(/^[^ ]* [^ ]* [^ ]* /, ""); printf "%s%c", $0, 0 }' \
        "$cache" "$stats" > "$todo"
      # A file that vanished or could not be read leaves a line out: nothing is taken from this pass then.
      if xargs -0 -r sha256sum < "$todo" > "$fresh" && [ "$(wc -l < "$fresh")" -eq "$(tr -cd '\0' < "$todo" | wc -c)" ]; then
        # sha256sum's own lines, in path order: known files from the cache, the others as just hashed.
        LC_ALL=C awk -v fresh="$fresh" -v cache="$cache.new" '
          FILENAME == ARGV[1] { sha[substr($0, 66)] = substr($0, 1, 64); next }
          {
            path = $0; sub(/^[^ ]* [^ ]* [^ ]* /, "", path)
            if (($0 in sha) && !index($0, "\\")) { s = sha[$0]; print s "  " path }
            else { getline line < fresh; print line; s = substr(line, 1 + (substr(line, 1, 1) == "\\"), 64) }
            print s " " $0 > cache
          }' "$cache" "$stats"
        [ -f "$cache.new" ] || : > "$cache.new"
        mv -f "$cache.new" "$cache"
      else
        rm -f "$cache.new"
        find . "${prune[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
      fi
      rm -f "$stats" "$todo" "$fresh"
    fi
    find . "${prune[@]}" -type l -printf '%p -> %l\n' | LC_ALL=C sort
  ) > "$list"
  echo "$(sha256sum < "$list" | cut -d' ' -f1) $(wc -l < "$list")"
  rm -f "$list"
}
