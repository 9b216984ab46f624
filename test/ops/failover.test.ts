import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ExitCode } from "../../ops/exitCodes";
import { coveredBy, runFailover } from "../../ops/failoverJob";
import { baseConfig, type FakeBehaviour, type Fixture, makeFixture, record, testDeps } from "./fixture";

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const fx of fixtures.splice(0)) fx.dispose();
});

function setup(behaviour: FakeBehaviour = {}, config: Record<string, unknown> = baseConfig): Fixture {
  const fx = makeFixture({
    config,
    behaviour,
    outputs: { recoveryPoint: JSON.stringify(record("nightly-20261125T021700Z", "2026-11-25T02:17:05Z")) },
  });
  fixtures.push(fx);
  return fx;
}

const stackConfig = (fx: Fixture) => parse(readFileSync(fx.stackFile, "utf8")).config as Record<string, unknown>;
const noFingerprint = async () => {
  throw new Error("a failover reads no primary");
};
/** An IP echo service as the runner sees it: answers with this address, and counts the calls. */
function echo(address: string) {
  const calls: string[] = [];
  const fetch = (async (url: string | URL | Request) => {
    calls.push(String(url));
    return new Response(`${address}\n`);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}
const args = (fx: Fixture, ...more: string[]) => ["--stack", "dev", "--work-dir", fx.workDir, ...more];
/** What the stack looked like at each preview and up: the sequence the test is about. */
const sequence = (fx: Fixture) =>
  fx
    .log()
    .filter((e) => e.argv?.[0] === "up" || e.argv?.[0] === "preview")
    .map((e) => `${e.argv?.[0]} praActive=${e.config?.praActive || "false"} runnerCidr=${e.config?.runnerCidr ?? "-"}`);

describe.concurrent("failover from a machine outside adminCidrs", () => {
  it("checks the cloud, opens SSH for its own address, fails over, closes it again with a second up", async () => {
    const fx = setup();
    const ip = echo("192.0.2.44");
    const deps = testDeps(fx, noFingerprint, { fetch: ip.fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Ok);
    expect(ip.calls).toEqual(["https://checkip.amazonaws.com"]);
    expect(sequence(fx)).toEqual([
      "preview praActive=false runnerCidr=-",
      "up praActive=true runnerCidr=192.0.2.44/32",
      "up praActive=true runnerCidr=-",
    ]);
    expect(stackConfig(fx)["pra:praActive"]).toBe("true");
    expect(stackConfig(fx)["pra:runnerCidr"]).toBeUndefined();
    const out = deps.output();
    expect(out).toMatch(
      /this machine \(192\.0\.2\.44\) is not in adminCidrs: it gets SSH to the standby for this run only/,
    );
    expect(out).toMatch(/the temporary SSH rule for 192\.0\.2\.44\/32 is gone/);
    expect(out).toMatch(
      /ok: the standby serves blog\.example\.org at 203\.0\.113\.10 from recovery point nightly-20261125T021700Z/,
    );
    expect(out).toMatch(/DNS: point the A record of blog\.example\.org at 203\.0\.113\.10 now/);
  });

  it("a failed failover up still closes the rule; praActive stays true and the message says how to go on", async () => {
    const fx = setup({ failActiveUps: 1 });
    const deps = testDeps(fx, noFingerprint, { fetch: echo("192.0.2.44").fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Failed);
    expect(sequence(fx)).toEqual([
      "preview praActive=false runnerCidr=-",
      "up praActive=true runnerCidr=192.0.2.44/32",
      "up praActive=true runnerCidr=-",
    ]);
    expect(stackConfig(fx)["pra:runnerCidr"]).toBeUndefined();
    expect(deps.output()).toMatch(
      /pra failover: FAILED exit=1: the failover did not complete: .*floating IP does not answer.*praActive stays true; .*npm run failover again/s,
    );
    expect(deps.output()).not.toMatch(/still open/);
  });

  it("a closing update that keeps failing is retried, then named with the command that closes the rule", async () => {
    const fx = setup({ failRunnerCloses: 5 });
    const deps = testDeps(fx, noFingerprint, { fetch: echo("2001:db8:1::7").fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Failed);
    expect(sequence(fx)).toEqual([
      "preview praActive=false runnerCidr=-",
      "up praActive=true runnerCidr=2001:db8:1::7/128",
      "up praActive=true runnerCidr=-",
      "up praActive=true runnerCidr=-",
    ]);
    expect(deps.output()).toMatch(
      /FAILED exit=1: the standby serves the blog, but: The temporary SSH rule for 2001:db8:1::7\/128 is still open .*pulumi config rm runnerCidr --stack dev && pulumi up --stack dev/,
    );
  });
});

describe.concurrent("failover from a machine inside adminCidrs, or told its address", () => {
  it("adds no rule when adminCidrs already lets the runner in: one up", async () => {
    const fx = setup({}, { ...baseConfig, "pra:adminCidrs": ["192.0.2.0/24"] });
    const deps = testDeps(fx, noFingerprint, { fetch: echo("192.0.2.44").fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Ok);
    expect(sequence(fx)).toEqual(["preview praActive=false runnerCidr=-", "up praActive=true runnerCidr=-"]);
    expect(deps.output()).toMatch(/this machine \(192\.0\.2\.44\) is in adminCidrs/);
  });

  it("--runner-ip none asks nobody and opens nothing; --runner-ip IP is used as given", async () => {
    const none = setup();
    const ip = echo("192.0.2.44");
    expect(
      await runFailover(args(none, "--runner-ip", "none"), testDeps(none, noFingerprint, { fetch: ip.fetch })),
    ).toBe(0);
    expect(sequence(none)).toEqual(["preview praActive=false runnerCidr=-", "up praActive=true runnerCidr=-"]);
    const given = setup();
    expect(
      await runFailover(args(given, "--runner-ip", "198.18.0.9"), testDeps(given, noFingerprint, { fetch: ip.fetch })),
    ).toBe(0);
    expect(sequence(given)[1]).toBe("up praActive=true runnerCidr=198.18.0.9/32");
    expect(ip.calls).toEqual([]);
  });

  it("closes a runnerCidr a killed failover left behind, when this run needs none", async () => {
    const fx = setup({}, { ...baseConfig, "pra:runnerCidr": "203.0.113.99/32" });
    const deps = testDeps(fx, noFingerprint);
    expect(await runFailover(args(fx, "--runner-ip", "none"), deps)).toBe(ExitCode.Ok);
    expect(sequence(fx)).toEqual([
      "preview praActive=false runnerCidr=203.0.113.99/32",
      "up praActive=true runnerCidr=-",
    ]);
    expect(stackConfig(fx)["pra:runnerCidr"]).toBeUndefined();
    expect(deps.output()).toMatch(/pra:runnerCidr=203\.0\.113\.99\/32 was left by a failover that did not finish/);
  });

  it("removes a syncRun a dead nightly left, before the failover's up (the program refuses both at once)", async () => {
    const fx = setup({}, { ...baseConfig, "pra:syncRun": "nightly-20261125T021700Z" });
    const deps = testDeps(fx, noFingerprint, { fetch: echo("198.51.100.7").fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Ok);
    expect(fx.ups()).toEqual([{ praActive: "true", syncRun: "", drillRun: "" }]);
    expect(deps.output()).toMatch(/removing pra:syncRun=nightly-20261125T021700Z, left by a run that did not finish/);
  });
});

describe.concurrent("failover refusals change nothing", () => {
  it("rejected credentials: exit 9 after the preview, no config change, no up", async () => {
    const fx = setup({ rejectCredentials: true });
    const before = readFileSync(fx.stackFile, "utf8");
    const deps = testDeps(fx, noFingerprint, { fetch: echo("192.0.2.44").fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.CloudCheckFailed);
    expect(fx.ups()).toEqual([]);
    expect(readFileSync(fx.stackFile, "utf8")).toBe(before);
  });

  it("another update holds the stack's pulumi lock: the refused up ends with exit 4, no closing up, the config as it was", async () => {
    const fx = setup({ upsBeforeLock: 0 }, { ...baseConfig, "pra:syncRun": "nightly-20261125T021700Z" });
    const deps = testDeps(fx, noFingerprint, { fetch: echo("192.0.2.44").fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Locked);
    expect(sequence(fx)).toEqual([
      "preview praActive=false runnerCidr=-",
      "up praActive=true runnerCidr=192.0.2.44/32",
    ]);
    const config = stackConfig(fx);
    expect(String(config["pra:praActive"])).toBe("false");
    expect(config["pra:runnerCidr"]).toBeUndefined();
    expect(config["pra:syncRun"]).toBe("nightly-20261125T021700Z");
    expect(deps.output()).toMatch(
      /FAILED exit=4: the failover up was refused, nothing was booted or changed \(the config is as it was\): stack dev is locked by another pulumi update \(ops@ci-runner \(pid 4242\) at 2026-11-25T02:00:00Z\): wait for it to end.*pulumi cancel --stack dev/,
    );
  });

  it("the lock taken after the failover went through: the refused closing update names the lock", async () => {
    const fx = setup({ upsBeforeLock: 1 });
    const deps = testDeps(fx, noFingerprint, { fetch: echo("192.0.2.44").fetch });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Failed);
    expect(sequence(fx)).toHaveLength(4); // preview, the failover, teardownAttempts (2) closing ups
    expect(deps.output()).toMatch(
      /the standby serves the blog, but: The temporary SSH rule for 192\.0\.2\.44\/32 is still open \(refused: stack dev is locked by another pulumi update \(ops@ci-runner .*\)\): pulumi config rm runnerCidr --stack dev && pulumi up --stack dev/,
    );
  });

  it("an address it cannot learn: exit 2 naming --runner-ip, before anything runs", async () => {
    const fx = setup();
    const failing = (async () => {
      throw new Error("getaddrinfo ENOTFOUND checkip.amazonaws.com");
    }) as typeof globalThis.fetch;
    const deps = testDeps(fx, noFingerprint, { fetch: failing });
    expect(await runFailover(args(fx), deps)).toBe(ExitCode.Usage);
    expect(deps.output()).toMatch(/cannot learn this machine's public address .*pass --runner-ip/);
    expect(fx.log().filter((e) => e.argv?.[0] === "preview" || e.argv?.[0] === "up")).toEqual([]);
  });

  it("a bad --runner-ip is a usage error", async () => {
    const fx = setup();
    const deps = testDeps(fx, noFingerprint);
    expect(await runFailover(args(fx, "--runner-ip", "192.0.2.0/24"), deps)).toBe(ExitCode.Usage);
    expect(deps.output()).toMatch(/--runner-ip "192\.0\.2\.0\/24" is not auto, none or an IP address/);
  });
});

describe("coveredBy", () => {
  it("matches an address against networks of its own family only", () => {
    expect(coveredBy(["192.0.2.0/24"], "192.0.2.255")).toBe(true);
    expect(coveredBy(["192.0.2.0/24"], "192.0.3.1")).toBe(false);
    expect(coveredBy(["2001:db8::/32"], "2001:db8:ffff::1")).toBe(true);
    expect(coveredBy(["2001:db8::/32"], "192.0.2.1")).toBe(false);
    expect(coveredBy(["198.51.100.7/32"], "198.51.100.7")).toBe(true);
  });
});
