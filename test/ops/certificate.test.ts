import { describe, expect, it } from "vitest";
import { CERTIFICATE_WARN_DAYS, certificateWarning } from "../../ops/certificate";
import type { RecoveryRecord } from "../../ops/recoveryRecord";

const now = new Date("2026-11-25T12:00:00Z");
const record = (notAfter?: string): RecoveryRecord => ({
  run: "nightly-20261125T020000Z",
  snapshotTime: "2026-11-25T02:00:00Z",
  fileDigest: "d",
  tables: {},
  ...(notAfter ? { certificate: { names: ["blog.example.test", "www.blog.example.test"], notAfter } } : {}),
});

describe("the synced certificate's expiry warning (fixed clock)", () => {
  it("says nothing for a site without TLS, or with more than 14 days left", () => {
    expect(CERTIFICATE_WARN_DAYS).toBe(14);
    expect(certificateWarning(undefined, now)).toBeUndefined();
    expect(certificateWarning(record(), now)).toBeUndefined();
    expect(certificateWarning(record("2026-12-09T12:00:01Z"), now)).toBeUndefined();
  });

  it("warns within 14 days, naming the names, the date and what to do", () => {
    expect(certificateWarning(record("2026-12-09T12:00:00Z"), now)).toBe(
      "the synced certificate for blog.example.test, www.blog.example.test expires in 14.0 days (2026-12-09T12:00:00Z): renew it on the primary (the next sync carries it)",
    );
    expect(certificateWarning(record("2026-11-26T00:00:00Z"), now)).toMatch(/expires in 0\.5 days/);
  });

  it("says so when it has expired, or its date cannot be read", () => {
    expect(certificateWarning(record("2026-11-25T11:59:59Z"), now)).toMatch(
      /expired at 2026-11-25T11:59:59Z: a failover would serve an expired certificate/,
    );
    expect(certificateWarning(record("soon"), now)).toMatch(/unreadable expiry \(soon\)/);
  });
});
