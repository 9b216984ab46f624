import { describe, expect, it } from "vitest";
import { ConfigError, parseSiteConfig, validateCidr, validateCidrUnion } from "../config";
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
    expect(() => validateCidr("adminCidrs", "fe80::1%eth0/64")).toThrow(/not a CIDR/);
  });
});

describe("adminCidrs", () => {
  const cidrs = (list: string[]) => parse({ adminCidrs: JSON.stringify(list) }).adminCidrs;
  const refusal = (list: string[]) => {
    try {
      cidrs(list);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).key).toBe("adminCidrs");
      return (e as Error).message;
    }
    throw new Error(`${JSON.stringify(list)} was accepted`);
  };

  it("keeps single addresses and networks of either family as written", () => {
    const list = ["198.51.100.7/32", "10.0.0.0/8", "2001:db8::1/128", "2001:db8:abcd::/48", "2a01::/16"];
    expect(cidrs(list)).toEqual(list);
  });

  it.each([
    ["10.0.0.5/8", "10.0.0.0/8"],
    ["198.51.100.7/24", "198.51.100.0/24"],
    ["192.168.1.1/31", "192.168.1.0/31"],
    ["2001:db8::1/64", "2001:db8::/64"],
    ["2001:db8:1:2:3:4:5:6/32", "2001:db8::/32"],
    ["2001:0:0:1::1/64", "2001:0:0:1::/64"],
    ["::ffff:10.0.0.5/120", "::ffff:a00:0/120"],
  ])("refuses %s, which has host bits set, and names the network %s", (cidr, network) => {
    expect(refusal([cidr])).toContain(`has host bits set beyond /${cidr.split("/")[1]}; the network is ${network}`);
  });

  it.each([
    ["0.0.0.0/0", "the whole internet"],
    ["::/0", "the whole internet"],
    ["0.0.0.0/1", "1/2 of all IPv4 addresses; prefixes shorter than /8 are refused"],
    ["10.0.0.0/7", "1/128 of all IPv4 addresses"],
    ["2000::/3", "1/8 of all IPv6 addresses; prefixes shorter than /16 are refused"],
    ["2a00::/15", "1/32768 of all IPv6 addresses"],
  ])("refuses %s, wider than the shortest prefix allowed", (cidr, problem) => {
    expect(refusal([cidr])).toContain(problem);
  });

  it("refuses the internet in two halves", () => {
    expect(refusal(["0.0.0.0/1", "128.0.0.0/1"])).toContain('"0.0.0.0/1" opens SSH to 1/2 of all IPv4 addresses');
  });

  it("refuses a list that covers all of IPv4 or IPv6 in pieces, but not one that leaves a gap", () => {
    const ipv4Eighths = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);
    expect(refusal(["2001:db8::/64", ...ipv4Eighths])).toMatch(
      /257 entries together open SSH to the whole IPv4 internet/,
    );
    expect(cidrs(ipv4Eighths.filter((c) => c !== "77.0.0.0/8"))).toHaveLength(255);
    // Overlaps and order do not hide the coverage.
    expect(refusal([...ipv4Eighths.slice(128), "10.0.0.0/8", ...ipv4Eighths.slice(0, 128)])).toMatch(/whole IPv4/);
  });

  it("refuses all of IPv6 cut into /16 networks", () => {
    const ipv6Sixteenths = Array.from({ length: 65536 }, (_, i) => `${i.toString(16)}::/16`);
    expect(() => validateCidrUnion("adminCidrs", ipv6Sixteenths)).toThrow(
      /together open SSH to the whole IPv6 internet/,
    );
    expect(validateCidrUnion("adminCidrs", ipv6Sixteenths.slice(1))).toHaveLength(65535);
  });
});
