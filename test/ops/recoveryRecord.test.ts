import { describe, expect, it } from "vitest";
import { parseSiteConfig } from "../../config";
import { ageHours, changesSince, formatHours, parseRecoveryRecord, runId } from "../../ops/recoveryRecord";
import { record, tables } from "./fixture";

describe("recovery record", () => {
  it("reads the output pra-verify records, and nothing that lacks what the change check needs", () => {
    const r = record("nightly-1", "2025-01-01T02:00:00.123456Z");
    expect(parseRecoveryRecord(JSON.stringify(r))).toEqual(r);
    expect(parseRecoveryRecord("")).toBeUndefined();
    expect(parseRecoveryRecord(undefined)).toBeUndefined();
    expect(parseRecoveryRecord("{not json")).toBeUndefined();
    expect(parseRecoveryRecord(JSON.stringify({ ...r, tables: undefined }))).toBeUndefined();
    expect(parseRecoveryRecord(JSON.stringify({ ...r, fileDigest: 1 }))).toBeUndefined();
  });

  it("names what changed: files, and each table whose rows, crc32 or md5 differ, appear or vanish", () => {
    const r = record("n", "2025-01-01T02:00:00Z");
    expect(changesSince(r, { fileDigest: r.fileDigest, tables })).toEqual([]);
    expect(changesSince(r, { fileDigest: "other", tables })).toEqual(["(files)"]);
    const t2 = { ...tables, wp_posts: { ...tables.wp_posts, md5: "x" }, wp_new: { rows: 0, crc32: "0", md5: "0" } };
    expect(changesSince(r, { fileDigest: r.fileDigest, tables: t2 })).toEqual(["wp_new", "wp_posts"]);
    const { wp_comments: _, ...fewer } = tables;
    expect(changesSince(r, { fileDigest: r.fileDigest, tables: fewer })).toEqual(["wp_comments"]);
  });

  it("computes the data age from the snapshot time (microseconds included)", () => {
    const now = new Date("2025-01-02T04:00:00Z");
    expect(ageHours("2025-01-01T02:00:00.123456Z", now)).toBeCloseTo(26, 3);
    expect(ageHours("garbage", now)).toBeUndefined();
    expect(formatHours(26.04)).toBe("26.0h");
    expect(formatHours(undefined)).toBe("unknown");
  });

  it("makes run ids the program accepts as pra:syncRun / pra:drillRun", () => {
    const id = runId("nightly", new Date("2025-03-04T05:06:07.890Z"));
    expect(id).toBe("nightly-20250304T050607Z");
    const get = (k: string) =>
      ({
        siteHostname: "blog.example.org",
        networkName: "n",
        floatingIpPool: "p",
        flavorName: "f",
        adminCidrs: '["198.51.100.7/32"]',
        imageName: "i",
        syncRun: id,
      })[k];
    expect(parseSiteConfig(get).mode).toBe("syncing");
    expect(runId("drill", new Date("2025-03-04T05:06:07Z"))).toBe("drill-20250304T050607Z");
  });
});
