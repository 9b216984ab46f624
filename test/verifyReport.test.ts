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
});
