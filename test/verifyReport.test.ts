import { describe, expect, it } from "vitest";
import { parseVerifyReport } from "../sync/verifyReport";

describe("pra-verify's report", () => {
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
