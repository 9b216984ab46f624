import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stateLocation } from "../../ops/stateLocation";
import { stackSource } from "../../ops/stateWarning";

const home = mkdtempSync(join(tmpdir(), "pra-state-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("stateLocation", () => {
  it("without a backend URL or a login: scripts/up's local default, with the loudest warning on the primary", () => {
    const s = stateLocation({ HOME: home }, { source: "local" });
    expect(s).toMatchObject({ url: `file://${home}/.pulumi-pra`, kind: "local", onThisMachine: true });
    expect(s.warning).toMatch(/^WARNING: the Pulumi state is a local file on the primary .*pra:source is local/);
    expect(s.warning).toMatch(/npm run state:setup/);
  });

  it("a local file off the primary (source ssh) still warns: the failover is tied to this machine", () => {
    const s = stateLocation({ HOME: home, PULUMI_BACKEND_URL: "file:///srv/state" }, { source: "ssh" });
    expect(s.kind).toBe("local");
    expect(s.warning).toMatch(/local file on this machine \(\/srv\/state\)/);
    expect(s.warning).not.toMatch(/on the primary/);
  });

  it("an S3 bucket or Pulumi Cloud is off this machine: no warning", () => {
    const bucket = "s3://pra-state?endpoint=https://swift.example:443&s3ForcePathStyle=true&region=RegionOne";
    expect(stateLocation({ HOME: home, PULUMI_BACKEND_URL: bucket }, { source: "local" })).toEqual({
      url: bucket,
      kind: "s3",
      onThisMachine: false,
    });
    expect(stateLocation({ HOME: home, PULUMI_BACKEND_URL: "https://api.pulumi.com" })).toEqual({
      url: "https://api.pulumi.com",
      kind: "cloud",
      onThisMachine: false,
    });
    expect(stateLocation({ HOME: home, PULUMI_BACKEND_URL: "gs://bucket" }).kind).toBe("other");
  });

  it("PULUMI_BACKEND_URL wins over the login; the login wins over the default; its tokens are not read out", () => {
    const pulumiHome = join(home, ".pulumi");
    mkdirSync(pulumiHome, { recursive: true });
    writeFileSync(
      join(pulumiHome, "credentials.json"),
      JSON.stringify({ current: "s3://b?endpoint=e", accessTokens: { "https://api.pulumi.com": "pul-secret" } }),
    );
    expect(stateLocation({ HOME: home })).toEqual({ url: "s3://b?endpoint=e", kind: "s3", onThisMachine: false });
    expect(stateLocation({ HOME: home, PULUMI_BACKEND_URL: "file://~" }).kind).toBe("local");
    expect(JSON.stringify(stateLocation({ HOME: home }))).not.toMatch(/pul-secret/);
    rmSync(pulumiHome, { recursive: true });
  });
});

describe("stackSource (what scripts/up judges with)", () => {
  it("reads pra:source from the stack file, else the declared default", () => {
    const dir = mkdtempSync(join(home, "proj-"));
    writeFileSync(join(dir, "Pulumi.a.yaml"), "config:\n  pra:source: ssh\n");
    writeFileSync(join(dir, "Pulumi.b.yaml"), "config:\n  pra:siteHostname: x\n");
    expect(stackSource(dir, "a")).toBe("ssh");
    expect(stackSource(dir, "b")).toBe("local");
    expect(stackSource(dir, "missing")).toBe("local");
  });
});
