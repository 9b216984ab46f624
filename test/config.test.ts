import { describe, expect, it } from "vitest";
import { ConfigError, parseSiteConfig, validateCidr } from "../config";
import { validConfig } from "./harness";

const parse = (over: Record<string, string | undefined>) => {
  const all: Record<string, string | undefined> = { ...validConfig, ...over };
  return parseSiteConfig((k) => all[k]);
};

describe("site config", () => {
  it("reads a complete stack with its defaults", () => {
    const c = parse({});
    expect(c).toMatchObject({
      praActive: false,
      mode: "standby",
      siteHostname: "blog.example.org",
      dataVolumeSizeGb: 10,
      sshUser: "pra",
      hostKeyAlias: "pra-standby",
      image: { kind: "name", name: "wordpress-standby" },
      expectedSyncMinutes: 10,
    });
    expect(c.prices).toEqual({
      storageEurPerGbMonth: 0.04,
      instanceEurPerHour: 0.01,
      trafficEurPerMonth: 0.089,
      floatingIpEurPerMonth: 0,
    });
  });

  it.each([
    ["praActive", { praActive: "True" }, /"True" is not a boolean/],
    ["siteHostname", { siteHostname: undefined }, /pra:siteHostname: is not set\. Fix: pulumi config set siteHostname/],
    ["siteHostname", { siteHostname: "localhost" }, /"localhost" is not a fully qualified host name/],
    ["adminCidrs", { adminCidrs: "[]" }, /pra:adminCidrs: is empty/],
    ["adminCidrs", { adminCidrs: '["0.0.0.0/0"]' }, /opens SSH to the whole internet/],
    ["adminCidrs", { adminCidrs: "198.51.100.7/32" }, /is not a list/],
    ["imageName", { imageId: "0b5c8a8e-1111-2222-3333-444455556666" }, /imageName and imageId are all set/],
    ["imageSourceUrl", { imageName: "", imageSourceUrl: "ftp://x" }, /not an http\(s\) URL/],
    ["dataVolumeSizeGb", { dataVolumeSizeGb: "ten" }, /"ten" is not a whole number/],
    ["sshUser", { sshUser: "root" }, /not a usable non-root user name/],
    ["operatorSshKeys", { operatorSshKeys: '["hello"]' }, /is not an OpenSSH public key/],
    ["priceInstanceEurPerHour", { priceInstanceEurPerHour: "1,5" }, /is not a price/],
    ["drillRun", { praActive: "true", drillRun: "d1" }, /is set while praActive is true/],
    ["syncRun", { syncRun: "a b" }, /is not a run id/],
  ])("names %s", (key, over, message) => {
    let error: unknown;
    try {
      parse(over);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/Fix: /);
  });

  it("accepts IPv6 CIDRs and rejects host garbage", () => {
    expect(validateCidr("adminCidrs", "2001:db8::/48")).toBe("2001:db8::/48");
    expect(() => validateCidr("adminCidrs", "2001:db8::/129")).toThrow(/not a CIDR/);
    expect(() => validateCidr("adminCidrs", "example.org/32")).toThrow(/not a CIDR/);
  });
});
