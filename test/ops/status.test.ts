import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderDrillReport } from "../../ops/drillReport";
import { CheckExitCode } from "../../ops/exitCodes";
import type { RecoveryRecord } from "../../ops/recoveryRecord";
import { runStatus, type StatusDeps } from "../../ops/statusJob";
import { baseConfig, type Fixture, historyEntry, hoursAgo, makeFixture, record } from "./fixture";

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const fx of fixtures.splice(0)) fx.dispose();
});

const S3 = "s3://pra-state?endpoint=https://swift.example.org:8080&s3ForcePathStyle=true&region=RegionOne";
const daysFromNow = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const points = ["nightly-20261125T021700Z", "nightly-20261124T021700Z", "nightly-20261123T021700Z"];

function recordWith(snapshotHoursAgo: number, more: Partial<RecoveryRecord> = {}): string {
  return JSON.stringify({
    ...record(points[0], hoursAgo(snapshotHoursAgo)),
    recoveryPoints: points,
    certificate: { names: ["blog.example.org"], notAfter: daysFromNow(60) },
    ...more,
  });
}

const cost = {
  monthlyEur: 3.37,
  storageEur: 1.2,
  instanceEur: 0.17,
  trafficEur: 0,
  floatingIpEur: 2,
  instanceHours: 5,
};

function setup(opts: Parameters<typeof makeFixture>[0] = {}): Fixture {
  const fx = makeFixture({ ...opts, outputs: { monthlyCost: cost, ...opts.outputs } });
  fixtures.push(fx);
  return fx;
}

async function status(fx: Fixture, argv: string[], env: NodeJS.ProcessEnv = { PULUMI_BACKEND_URL: S3 }) {
  let text = "";
  const deps: StatusDeps = {
    now: () => new Date(),
    out: (t) => {
      text += t;
    },
    pulumiRoot: fx.root,
    env,
  };
  const code = await runStatus(["--stack", "dev", "--work-dir", fx.workDir, ...argv], deps);
  return { code, text };
}

describe.concurrent("npm run status", () => {
  it("healthy: mode, data age, the restorePoint names, certificate, cost; exit 0, and nothing booted or changed", async () => {
    const fx = setup({ outputs: { recoveryPoint: recordWith(3) } });
    const { code, text } = await status(fx, []);
    expect(text).toMatch(/mode +standby/);
    expect(text).toMatch(/data age \(RPO\) +3\.0h/);
    expect(text).toContain(`recovery points  ${points.join(" ")} (restorePoint names, newest first)`);
    expect(text).toMatch(/certificate +blog\.example\.org, expires .* \((59|60) days\)/);
    expect(text).toContain("€3.37");
    expect(text).toMatch(/state +s3:\/\/pra-state.* \(s3\)/);
    expect(text).not.toContain("warnings:");
    expect(text.trim().split("\n").at(-1)).toBe("pra status: ok");
    expect(code).toBe(CheckExitCode.Ok);
    const ran = fx.commands().map((c) => c.slice(0, 2).join(" "));
    expect(ran.filter((c) => /^(up|preview|config set|config rm|refresh|destroy)/.test(c))).toEqual([]);
  });

  it("--json: the same facts for scripts, with the exit code", async () => {
    const fx = setup({ outputs: { recoveryPoint: recordWith(3) } });
    const { code, text } = await status(fx, ["--json"]);
    const json = JSON.parse(text);
    expect(json).toMatchObject({
      configured: true,
      stack: "dev",
      mode: "standby",
      newestRecoveryPoint: { run: points[0] },
      recoveryPoints: points,
      monthlyCostEur: 3.37,
      warnings: [],
      exitCode: 0,
    });
    expect(json.dataAgeHours).toBeCloseTo(3, 1);
    expect(code).toBe(CheckExitCode.Ok);
  });

  it("stale data: warns with the bound and exits 1", async () => {
    const fx = setup({ outputs: { recoveryPoint: recordWith(40) } });
    const { code, text } = await status(fx, []);
    expect(text).toMatch(/- the standby's data is 40\.0h old .* more than maxDataAgeHours 26h/);
    expect(text).toMatch(/pra status: ATTENTION exit=1 \(1 warning\)/);
    expect(code).toBe(CheckExitCode.Attention);
  });

  it("a quiet blog is not stale: a later nightly check that found nothing new counts", async () => {
    const fx = setup({ outputs: { recoveryPoint: recordWith(40) } });
    mkdirSync(join(fx.workDir, ".pra"));
    writeFileSync(
      join(fx.workDir, ".pra/status.json"),
      JSON.stringify({
        job: "nightly",
        stack: "dev",
        exitCode: 0,
        result: "ok",
        finishedAt: hoursAgo(2),
        verifiedUnchangedAt: hoursAgo(2),
      }),
    );
    const { code, text } = await status(fx, []);
    expect(text).toMatch(/last nightly +ok at /);
    expect(code).toBe(CheckExitCode.Ok);
  });

  it("a certificate expiring within 14 days: warns, says what to renew, exits 1", async () => {
    const cert = { names: ["blog.example.org"], notAfter: daysFromNow(5) };
    const fx = setup({ outputs: { recoveryPoint: recordWith(3, { certificate: cert }) } });
    const { code, text } = await status(fx, []);
    expect(text).toMatch(/- the synced certificate expires .* \(blog\.example\.org\): renew it on the primary/);
    expect(code).toBe(CheckExitCode.Attention);
  });

  it("state in a local file on the primary (source: local): warns loudly, exits 1", async () => {
    const fx = setup({ outputs: { recoveryPoint: recordWith(3) } });
    const home = join(fx.root, "home");
    mkdirSync(home);
    const { code, text } = await status(fx, [], { HOME: home });
    expect(text).toContain(`state            file://${home}/.pulumi-pra (local)`);
    expect(text).toMatch(/- WARNING: the Pulumi state is a local file on the primary \(.*pra:source is local\)/);
    expect(code).toBe(CheckExitCode.Attention);
  });

  it("failed drill and failback, failed over, no recovery point: each a warning", async () => {
    const fx = setup({
      config: { ...baseConfig, "pra:praActive": true },
      outputs: { recoveryPoint: "", mode: "active" },
      history: [historyEntry({ praActive: true })],
    });
    mkdirSync(join(fx.workDir, ".pra"));
    const started = new Date(Date.now() - 86_400_000);
    writeFileSync(
      join(fx.workDir, ".pra/drill-20261121T094300Z.md"),
      renderDrillReport({
        id: "drill-20261121T094300Z",
        kind: "live",
        stack: "dev",
        startedAt: started,
        code: 1,
        detail: "boot failed",
      }),
    );
    writeFileSync(
      join(fx.workDir, ".pra/failback.json"),
      JSON.stringify({
        job: "failback",
        stack: "dev",
        exitCode: 6,
        result: "primary unreachable, nothing booted",
        detail: "x",
        finishedAt: hoursAgo(1),
      }),
    );
    const { code, text } = await status(fx, ["--json"]);
    const warnings = (JSON.parse(text).warnings as string[]).join("\n");
    expect(warnings).toMatch(/^failed over: the standby serves the blog/m);
    expect(warnings).toMatch(/^no recovery point yet/m);
    expect(warnings).toMatch(/^the last drill \(.*\) ended: FAILED \(exit 1/m);
    expect(warnings).toMatch(/^the last failback \(.*\) ended: primary unreachable/m);
    expect(code).toBe(CheckExitCode.Attention);
  });

  it("an instance left up and an update in progress: each a warning with what to do", async () => {
    const fx = setup({
      outputs: { recoveryPoint: recordWith(3), mode: "syncing" },
      history: [historyEntry({ syncRun: "nightly-20261125T021700Z" }, "in-progress")],
    });
    const { code, text } = await status(fx, []);
    expect(text).toMatch(
      /- an instance is up \(mode syncing\) although no run should be going: .*npm run sync:nightly/,
    );
    expect(text).toMatch(/- an update is in progress since /);
    expect(code).toBe(CheckExitCode.Attention);
  });

  it("an expired certificate says so", async () => {
    const cert = { names: ["blog.example.org", "www.blog.example.org"], notAfter: daysFromNow(-1) };
    const fx = setup({ outputs: { recoveryPoint: recordWith(3, { certificate: cert }) } });
    const { code, text } = await status(fx, []);
    expect(text).toMatch(/- the synced certificate EXPIRED .* \(blog\.example\.org, www\.blog\.example\.org\)/);
    expect(code).toBe(CheckExitCode.Attention);
  });

  it("not configured: no stack file, or no pulumi CLI: exit 2 naming what is missing", async () => {
    const fx = setup();
    const noFile = await status(fx, ["--stack", "prod"]);
    expect(noFile.text).toContain(`no ${fx.workDir}/Pulumi.prod.yaml: copy Pulumi.dev.yaml to it`);
    expect(noFile.text).toContain("npm run doctor lists everything that is missing");
    expect(noFile.code).toBe(CheckExitCode.NotConfigured);
    let text = "";
    const empty = join(fx.root, "no-cli");
    mkdirSync(empty);
    const code = await runStatus(["--work-dir", fx.workDir, "--json"], {
      now: () => new Date(),
      out: (t) => {
        text += t;
      },
      pulumiRoot: empty,
      env: {},
    });
    expect(JSON.parse(text)).toMatchObject({ configured: false, exitCode: 2 });
    expect(JSON.parse(text).error).toMatch(/no pulumi CLI found/);
    expect(code).toBe(CheckExitCode.NotConfigured);
    expect((await status(fx, ["--bogus"])).code).toBe(CheckExitCode.NotConfigured);
  });
});
