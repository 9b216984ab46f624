import { describe, expect, it } from "vitest";
import { parseVerifyReport, TLS_CA_TAG } from "../sync/verifyReport";

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("pra-verify's report", () => {
  it("carries the CA of an https site (base64 on its own line) for the outside check", () => {
    const out = `newest-post 42\n${TLS_CA_TAG} ${Buffer.from(pem).toString("base64")}\n{"run":"r1"}\n`;
    expect(parseVerifyReport(out)).toEqual({ newestPostId: 42, record: '{"run":"r1"}', failure: "", caPem: pem });
  });

  it("has no CA for an http site", () => {
    expect(parseVerifyReport('newest-post 7\n{"run":"r2"}\n')).toEqual({
      newestPostId: 7,
      record: '{"run":"r2"}',
      failure: "",
    });
  });

  const record = '{"run":"nightly-2","snapshotTime":"2026-11-25T02:00:00Z"}';

  it("adds the restorable points to the record, newest first", () => {
    const r = parseVerifyReport(`newest-post 42\nrecovery-points nightly-2 nightly-1\n${record}\n`);
    expect(r.newestPostId).toBe(42);
    expect(JSON.parse(r.record)).toEqual({
      run: "nightly-2",
      snapshotTime: "2026-11-25T02:00:00Z",
      recoveryPoints: ["nightly-2", "nightly-1"],
    });
  });

  it("keeps {} (nothing verified serves) and a report without the line as they are", () => {
    expect(parseVerifyReport("failed-generation x\nrecovery-points a\n{}\n").record).toBe("{}");
    expect(parseVerifyReport(`newest-post 1\n${record}\n`).record).toBe(record);
    expect(JSON.parse(parseVerifyReport(`recovery-points\n${record}`).record).recoveryPoints).toEqual([]);
  });
});
