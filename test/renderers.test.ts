import { describe, expect, it } from "vitest";
import { estimateMonthlyCost } from "../components/cost";
import { knownHostsLine, publicKeyBody } from "../sync/knownHosts";

const prices = {
  storageEurPerGbMonth: 0.04,
  instanceEurPerHour: 0.01,
  trafficEurPerMonth: 0.089,
  floatingIpEurPerMonth: 0,
};

describe("known_hosts line", () => {
  it("files the key under the alias and the address, without the key comment", () => {
    expect(knownHostsLine("pra-standby", "203.0.113.10", "ssh-ed25519 AAAAKEY root@host\n")).toBe(
      "pra-standby,203.0.113.10 ssh-ed25519 AAAAKEY",
    );
    expect(knownHostsLine("pra-standby", undefined, "ssh-ed25519 AAAAKEY")).toBe("pra-standby ssh-ed25519 AAAAKEY");
  });

  it("rejects something that is not a key", () => {
    expect(() => publicKeyBody("garbage")).toThrow(/not an OpenSSH public key/);
  });
});

describe("monthly cost", () => {
  it("charges a cold standby by the GB plus a few minutes a night", () => {
    const c = estimateMonthlyCost({ prices, mode: "standby", volumeGb: 20, imageGb: 3, expectedSyncMinutes: 12 });
    // 23 GB * 0.04 = 0.92; 12 min * 30 nights = 6 h * 0.01 = 0.06; + 0.089 traffic
    expect(c).toEqual({
      monthlyEur: 1.07,
      storageEur: 0.92,
      instanceEur: 0.06,
      trafficEur: 0.089,
      floatingIpEur: 0,
      instanceHours: 6,
    });
  });

  it("charges a whole month of instance time while failed over", () => {
    const c = estimateMonthlyCost({ prices, mode: "active", volumeGb: 10, imageGb: 3, expectedSyncMinutes: 10 });
    expect(c.instanceHours).toBe(730);
    expect(c.instanceEur).toBe(7.3);
  });
});
