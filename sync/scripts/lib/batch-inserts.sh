# shellcheck shell=bash
# batch_inserts: copies a mariadb-dump from stdin to stdout with each run of consecutive one-row
# `INSERT INTO `t` VALUES (...);` lines of the same table joined into multi-row INSERTs of about 1 MiB.
# The dump is one row a line so that rsync's delta against last night's dump sends little more than the
# changed rows; loaded that way, the client waits for the server after every row (thousands of round
# trips). Batched, the same rows load in a few statements. The dump escapes newlines inside values, so a
# row is one line; any other line (a table's definition, LOCK TABLES, commit) is copied as it is and ends
# the batch. pra-import compares every table's row hashes with the primary's afterwards, as before.
batch_inserts() {
  LC_ALL=C awk -v limit=1048576 '
    function finish() { if (open) { print ";"; open = 0 } }
    /^INSERT INTO `[^`]+` VALUES \(.*\);$/ {
      cut = index($0, "` VALUES (") + 9
      head = substr($0, 1, cut - 1)
      row = substr($0, cut, length($0) - cut)
      if (open && head == table && size + length(row) <= limit) {
        printf ",\n%s", row
        size += length(row) + 2
      } else {
        finish()
        printf "%s%s", head, row
        table = head
        size = length(row)
        open = 1
      }
      next
    }
    { finish(); print }
    END { finish() }
  '
}
