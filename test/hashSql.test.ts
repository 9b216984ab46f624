import { describe, expect, it } from "vitest";
import { hashesTsv, tableHashSql } from "../sync/hashSql";

describe("row hash SQL", () => {
  it("is the same text for the same columns and quotes odd names", () => {
    expect(tableHashSql("wp_posts", ["ID", "post_title"])).toBe(tableHashSql("wp_posts", ["ID", "post_title"]));
    expect(tableHashSql("we`ird'", ["a`b"])).toContain("`we``ird'`");
    expect(tableHashSql("we`ird'", ["a`b"])).toContain("'we`ird\\''");
  });

  it("prints one sorted TSV line per table", () => {
    expect(
      hashesTsv([
        { table: "b", rows: "2", crc32: "0000000A", md5: "00000000000000FF" },
        { table: "a", rows: "1", crc32: "0000000B", md5: "00000000000000EE" },
      ]),
    ).toBe("a\t1\t0000000B\t00000000000000EE\nb\t2\t0000000A\t00000000000000FF\n");
  });
});
