/**
 * Per-table verification that does not depend on the storage engine (CHECKSUM TABLE differs across
 * MariaDB versions for InnoDB): row count plus BIT_XOR of a CRC32 and of a 64-bit MD5 prefix of every
 * row, as pt-table-checksum does (the MD5 part in two 32-bit halves, as it does too). The primary
 * renders this SQL once from its own column list and the standby runs the very same text against the
 * imported copy, so both sides hash identically.
 */
export function tableHashSql(table: string, columns: string[]): string {
  const id = (name: string) => `\`${name.replace(/`/g, "``")}\``;
  const cols = columns.map(id);
  // CONCAT_WS skips NULLs, so the NULL pattern is added to tell ('a', NULL) from (NULL, 'a').
  const row = `CONCAT_WS('#', ${cols.join(", ")}, CONCAT(${cols.map((c) => `ISNULL(${c})`).join(", ")}))`;
  const literal = `'${table.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return (
    `SELECT ${literal}, CAST(COUNT(*) AS CHAR), ` +
    `LPAD(HEX(COALESCE(BIT_XOR(CRC32(${row})), 0)), 8, '0'), ` +
    // MD5 in two 32-bit halves: CONV of a 64-bit value loses its low bits through a double.
    `CONCAT(${[1, 9]
      .map(
        (at) =>
          `LPAD(HEX(COALESCE(BIT_XOR(CAST(CONV(SUBSTRING(MD5(${row}), ${at}, 8), 16, 10) AS UNSIGNED)), 0)), 8, '0')`,
      )
      .join(", ")}) ` +
    `FROM ${id(table)};`
  );
}

export interface TableHash {
  table: string;
  rows: string;
  crc32: string;
  md5: string;
}

/** One TSV line per table, the format the mariadb CLI prints with -N -B. */
export function hashesTsv(hashes: TableHash[]): string {
  return hashes
    .map((h) => [h.table, h.rows, h.crc32, h.md5].join("\t"))
    .sort()
    .map((l) => `${l}\n`)
    .join("");
}
