import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { failoverConfigCopy } from "../../ops/configCopy";
import { runDrill } from "../../ops/drillJob";
import { type DrillFacts, whatThisShows } from "../../ops/drillReport";
import { ExitCode } from "../../ops/exitCodes";
import { baseConfig, type Fixture, hoursAgo, makeFixture, record, testDeps } from "./fixture";

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const fx of fixtures.splice(0)) fx.dispose();
});
function setup(opts: Parameters<typeof makeFixture>[0]): Fixture {
  const fx = makeFixture(opts);
  fixtures.push(fx);
  return fx;
}
const noFingerprint = async () => {
  throw new Error("a drill never reads the primary");
};
const args = (fx: Fixture, ...more: string[]) => ["--stack", "dev", "--work-dir", fx.workDir, ...more];
const reports = (fx: Fixture) =>
  readdirSync(join(fx.workDir, ".pra"))
    .filter((f) => /^drill-\d{8}T\d{6}Z\.md$/.test(f))
    .map((f) => readFileSync(join(fx.workDir, ".pra", f), "utf8"));
/** The report's "What this shows" section. */
const shows = (report: string) => report.slice(report.indexOf("## What this shows"));
const lastNight = JSON.stringify(record("nightly-20250101T020000Z", hoursAgo(6)));

describe.concurrent("preview drill: cannot arm a failover", () => {
  it("previews with praActive=true from a temp copy, saves the plan, and leaves the real stack file byte-identical", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight } });
    const before = readFileSync(fx.stackFile);
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx), deps)).toBe(ExitCode.Ok);

    expect(readFileSync(fx.stackFile).equals(before)).toBe(true);
    const commands = fx.commands();
    // nothing that writes config, no -c/--config on anything, no up
    expect(commands.filter((c) => c[0] === "config" && ["set", "rm", "set-all", "rm-all"].includes(c[1]))).toEqual([]);
    expect(commands.flat().filter((a) => a === "-c" || a === "--config" || a.startsWith("--config="))).toEqual([]);
    expect(commands.filter((c) => c[0] === "up")).toEqual([]);

    const previews = fx.log().filter((e) => e.argv?.[0] === "preview");
    expect(previews).toHaveLength(1);
    const argv = previews[0].argv as string[];
    const copy = argv[argv.indexOf("--config-file") + 1];
    const plan = argv[argv.indexOf("--save-plan") + 1];
    expect(argv).toContain("--diff");
    expect(dirname(dirname(copy))).toBe(tmpdir());
    expect(basename(copy)).toBe("Pulumi.dev.yaml");
    expect(copy.startsWith(fx.workDir)).toBe(false);
    expect(previews[0].config).toEqual({ praActive: "true", syncRun: "", drillRun: "" });
    expect(existsSync(dirname(copy))).toBe(false); // the copy is gone

    expect(plan).toBe(join(fx.workDir, ".pra/failover-plan.json"));
    expect(JSON.parse(readFileSync(plan, "utf8")).config["pra:praActive"]).toBe(true);
    expect(statSync(plan).mode & 0o777).toBe(0o600);
    expect(deps.output()).toContain(
      `pulumi config set praActive true --stack dev && pulumi up --stack dev --plan ${plan}`,
    );
    expect(deps.output()).toMatch(/pra drill: ok preview drill-\d{8}T\d{6}Z report=/);
    expect(reports(fx)).toHaveLength(1);
    expect(reports(fx)[0]).toContain("| result | PASSED |");
    expect(shows(reports(fx)[0])).toContain("This preview drill passed");
    expect(shows(reports(fx)[0])).toContain(`pulumi up --stack dev --plan ${plan}\``);
  });

  it("a failed preview says it failed and offers no plan file, not even one an earlier drill left", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight }, behaviour: { failPreview: true } });
    mkdirSync(join(fx.workDir, ".pra"), { recursive: true });
    const stale = join(fx.workDir, ".pra/failover-plan.json");
    writeFileSync(stale, JSON.stringify({ fake: true, config: { "pra:praActive": true } }));
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx), deps)).toBe(ExitCode.Failed);
    const [report] = reports(fx);
    expect(report).toContain("| result | FAILED (exit 1: failed, instance torn down) |");
    expect(shows(report)).toContain("This preview drill FAILED");
    expect(shows(report)).toContain("This run saved no update plan");
    expect(report).not.toContain("failover-plan.json");
    expect(report).not.toContain("| update plan |");
    expect(deps.output()).not.toContain("how a real failover uses this plan");
  });

  it("leaves a set syncRun out of the copy, and the real file still untouched", async () => {
    const fx = setup({ config: { ...baseConfig, "pra:syncRun": "nightly-20250101T020000Z" } });
    const before = readFileSync(fx.stackFile);
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx, "--plan-file", join(fx.root, "plan.json")), deps)).toBe(ExitCode.Ok);
    expect(readFileSync(fx.stackFile).equals(before)).toBe(true);
    const preview = fx.log().find((e) => e.argv?.[0] === "preview");
    expect(preview?.config).toEqual({ praActive: "true", syncRun: "", drillRun: "" });
    expect(existsSync(join(fx.root, "plan.json"))).toBe(true);
    expect(deps.output()).toContain("note: syncRun is set on the stack");
  });

  it("refuses while failed over (exit 3) without a preview", async () => {
    const fx = setup({ config: { ...baseConfig, "pra:praActive": true } });
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx), deps)).toBe(ExitCode.RefusedActive);
    expect(fx.commands().filter((c) => c[0] === "preview" || c[0] === "up")).toEqual([]);
  });

  it("the config copy works for a stack file without a config map", () => {
    const fx = setup({});
    writeFileSync(fx.stackFile, "secretsprovider: passphrase\nconfig:\n");
    const copy = failoverConfigCopy(fx.stackFile);
    try {
      expect(parse(readFileSync(copy.file, "utf8"))).toEqual({
        secretsprovider: "passphrase",
        config: { "pra:praActive": true },
      });
    } finally {
      copy.dispose();
    }
  });

  it("the config copy keeps comments, secrets provider and salt, and only flips the mode keys", () => {
    const fx = setup({ config: { ...baseConfig, "pra:drillRun": "drill-x" } });
    const copy = failoverConfigCopy(fx.stackFile);
    try {
      const text = readFileSync(copy.file, "utf8");
      expect(text).toContain("# the real stack file");
      const doc = parse(text);
      expect(doc.encryptionsalt).toBe("v1:ZmFrZQ==:v1:fake");
      expect(doc.config).toEqual({ ...baseConfig, "pra:praActive": true });
      expect(copy.cleared).toEqual(["drillRun"]);
      expect(statSync(copy.file).mode & 0o777).toBe(0o600);
    } finally {
      copy.dispose();
    }
    expect(existsSync(copy.file)).toBe(false);
  });
});

describe.concurrent("live drill", () => {
  it("boots with drillRun, reports the recovery time, tears down", async () => {
    // knownHosts is marked secret in the fake: the report must show [secret], not the value
    const fx = setup({
      outputs: { recoveryPoint: lastNight, knownHosts: "pra-standby,203.0.113.10 ssh-ed25519 AAAA" },
    });
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx, "--live"), deps)).toBe(ExitCode.Ok);
    const ups = fx.ups();
    expect(ups).toHaveLength(2);
    expect(ups[0].drillRun).toMatch(/^drill-\d{8}T\d{6}Z$/);
    expect(ups[1]).toEqual({ praActive: "false", syncRun: "", drillRun: "" });
    expect(fx.state().instance).toBe(false);
    const [report] = reports(fx);
    expect(report).toContain(`# PRA drill ${ups[0].drillRun} (live) on stack dev`);
    expect(report).toContain("| result | PASSED |");
    expect(report).toMatch(/\| recovery time \| \d+ s /);
    expect(report).toContain("run nightly-20250101T020000Z");
    expect(report).toMatch(/\| instanceId \| 0d5e-fake-instance \|/);
    expect(report).toMatch(/\| knownHosts \| \[secret\] \|/);
    expect(report).not.toContain("ssh-ed25519 AAAA");
    expect(report).toContain("| teardown | done (attempt 1) |");
    expect(deps.output()).toMatch(/pra drill: ok live drill-\S+ recovery time=\d+ s instance minutes=\d+\.\d report=/);
    expect(shows(report)).toContain("This live drill passed");
  });

  it("a failed drill still tears down, exits 1, reports the error and alerts", async () => {
    const fx = setup({
      config: { ...baseConfig, "pra:alertCommand": "cat > /dev/null" },
      outputs: { recoveryPoint: lastNight },
      behaviour: { failDrillUp: true },
    });
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx, "--live"), deps)).toBe(ExitCode.Failed);
    expect(fx.ups().map((u) => u.drillRun !== "")).toEqual([true, false]);
    expect(fx.state().instance).toBe(false);
    const [report] = reports(fx);
    expect(report).toContain("| result | FAILED (exit 1: failed, instance torn down) |");
    expect(report).toContain("dump checksum mismatch");
    expect(report).not.toContain("recovery time");
    expect(shows(report)).toContain("This live drill FAILED: the standby did not come up healthy");
    expect(shows(report)).toContain("The instance was deleted again");
    expect(shows(report)).not.toContain("passed");
    expect(deps.output()).toMatch(/alert command run/);
  });

  it("needs a recovery point (exit 2, nothing booted) and refuses while failed over (exit 3)", async () => {
    const fx = setup({ outputs: { recoveryPoint: "" } });
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx, "--live"), deps)).toBe(ExitCode.Usage);
    expect(deps.output()).toContain("no recovery point recorded yet");
    expect(fx.ups()).toEqual([]);
    const active = setup({ config: { ...baseConfig, "pra:praActive": true }, outputs: { recoveryPoint: lastNight } });
    expect(await runDrill(args(active, "--live"), testDeps(active, noFingerprint))).toBe(ExitCode.RefusedActive);
    expect(active.ups()).toEqual([]);
  });

  it("rejected credentials: exit 9 before drillRun is set, nothing booted, and the report says so", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight }, behaviour: { rejectCredentials: true } });
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx, "--live"), deps)).toBe(ExitCode.CloudCheckFailed);
    expect(fx.ups()).toEqual([]);
    expect(fx.commands().some((c) => c[0] === "config" && ["set", "rm"].includes(c[1]))).toBe(false);
    const [report] = reports(fx);
    expect(report).toContain("Authentication failed");
    expect(shows(report)).toContain("This live drill ended before booting anything (exit 9");
  });

  it("another update holds the stack's pulumi lock: the refused boot ends with exit 4, no teardown up, drillRun removed, no alert", async () => {
    const alerts = join(tmpdir(), `pra-drill-lock-alert-${process.pid}-${Date.now()}`);
    const fx = setup({
      config: { ...baseConfig, "pra:alertCommand": `cat >> ${alerts}` },
      outputs: { recoveryPoint: lastNight },
      behaviour: { upsBeforeLock: 0 },
    });
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx, "--live"), deps)).toBe(ExitCode.Locked);
    expect(fx.ups().map((u) => u.drillRun !== "")).toEqual([true]);
    expect(parse(readFileSync(fx.stackFile, "utf8")).config["pra:drillRun"]).toBeUndefined();
    expect(deps.output()).toMatch(
      /pra drill: FAILED exit=4 .*nothing was booted or changed, pra:drillRun removed again: stack dev is locked by another pulumi update \(ops@ci-runner \(pid 4242\)/,
    );
    expect(deps.output()).toContain("pulumi cancel --stack dev");
    expect(shows(reports(fx)[0])).toContain("This live drill ended before booting anything (exit 4");
    expect(existsSync(alerts)).toBe(false);
  });

  it("the lock taken after the boot went through: exit 5, the detail names the lock and the fix", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight }, behaviour: { upsBeforeLock: 1 } });
    const deps = testDeps(fx, noFingerprint);
    expect(await runDrill(args(fx, "--live"), deps)).toBe(ExitCode.TeardownFailed);
    expect(fx.ups().map((u) => u.drillRun !== "")).toEqual([true, false, false]);
    expect(deps.output()).toMatch(
      /exit=5 .*the drill instance may still be running \(the teardown up was refused: stack dev is locked by another pulumi update \(ops@ci-runner .*\): pulumi config rm drillRun --stack dev && pulumi up --stack dev/,
    );
  });

  it("rejects --plan-file with --live", async () => {
    const fx = setup({});
    expect(await runDrill(args(fx, "--live", "--plan-file", "x.json"), testDeps(fx, noFingerprint))).toBe(
      ExitCode.Usage,
    );
  });
});

describe('the report\'s "What this shows" follows what happened', () => {
  const facts = (more: Partial<DrillFacts>): DrillFacts => ({
    id: "drill-20250101T030000Z",
    kind: "live",
    stack: "dev",
    startedAt: new Date("2025-01-01T03:00:00Z"),
    code: ExitCode.Ok,
    detail: "",
    ...more,
  });
  const tornDown = { ok: true, attempts: 1 };

  it("a live drill stopped before the boot shows nothing about the failover", () => {
    expect(whatThisShows(facts({ code: ExitCode.RefusedActive }))).toEqual([
      "- This live drill ended before booting anything (exit 3: refused while failed over (praActive is true); see detail): it shows nothing about the failover yet.",
    ]);
  });

  it("a live drill interrupted during the checks says so, and that the instance is gone", () => {
    const lines = whatThisShows(facts({ code: ExitCode.Interrupted, teardown: tornDown }));
    expect(lines[0]).toMatch(/^- This live drill ended before the standby's checks finished \(exit 8/);
    expect(lines[1]).toMatch(/instance was deleted again/);
  });

  it("a failed teardown is named, after what the boot showed", () => {
    const lines = whatThisShows(
      facts({ code: ExitCode.TeardownFailed, recoverySeconds: 300, teardown: { ok: false, attempts: 3 } }),
    );
    expect(lines).toEqual([
      "- The standby booted on the newest recovery point and passed the program's checks.",
      "- The teardown FAILED: the drill instance may still be running and costing money (the detail says how to remove it).",
    ]);
  });

  it("a preview interrupted or refused offers no plan", () => {
    const interrupted = whatThisShows(facts({ kind: "preview", code: ExitCode.Interrupted }));
    expect(interrupted[0]).toMatch(/^- This preview drill ended before the failover preview finished \(exit 8/);
    expect(interrupted[1]).toMatch(/saved no update plan/);
    const locked = whatThisShows(facts({ kind: "preview", code: ExitCode.Locked }));
    expect(locked[0]).toMatch(/^- This preview drill did not complete \(exit 4: another run holds the lock/);
    expect(locked[1]).toMatch(/saved no update plan/);
  });
});
