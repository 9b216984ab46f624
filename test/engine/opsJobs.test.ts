import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../ops/exitCodes";
import { runNightly } from "../../ops/nightlyJob";
import { runStatus } from "../../ops/statusJob";
import { lockRefusal } from "../../ops/workspace";
import { historyEntry, makeFixture, record, tables, testDeps } from "../ops/fixture";
import { startJob } from "../ops/spawn";
import { missing, toolchain } from "../toolchain/env";
import { type OpsStack, opsStack, type StandbyOutputs } from "./opsStack";

// The ops jobs against the REAL pulumi CLI and a real stack (file backend), for every path that needs
// neither the language host nor a provider: the state is made by an inline program exporting what
// index.ts exports. The primary's fingerprint comes through the same seam test/ops uses
// (test/ops/entry.ts, FAKE_FINGERPRINT): the jobs' change check against a real primary is the lab's.
const tc = toolchain();
const unavailable = missing(tc, "cli");
if (unavailable) console.warn(`engine ops tests skipped: ${unavailable}`);

const projectRoot = resolve(__dirname, "../..");
const lastNight = record("nightly-20250101T020000Z", "2025-01-01T02:00:00.000Z");
const unchanged = { fileDigest: lastNight.fileDigest, tables };

function standby(over: Partial<StandbyOutputs> = {}): StandbyOutputs {
  return {
    mode: "standby",
    recoveryPoint: JSON.stringify(lastNight),
    floatingIp: "203.0.113.10",
    hostKeyAlias: "pra-standby",
    sshUser: "debian",
    expectedSyncMinutes: 15,
    monthlyCost: {
      monthlyEur: 3.37,
      storageEur: 1.2,
      instanceEur: 0.17,
      trafficEur: 0,
      floatingIpEur: 2,
      instanceHours: 5,
    },
    ...over,
  };
}

interface JobResult {
  code: number;
  output: string;
}

/** Runs a job as test/ops does (test/ops/entry.ts), here on the real CLI and the real stack. */
async function runJob(s: OpsStack, job: "nightly" | "drill", args: string[] = []): Promise<JobResult> {
  const running = startJob({ workDir: s.workDir, root: s.env.PRA_PULUMI_ROOT }, job, args, {
    ...s.env,
    FAKE_FINGERPRINT: JSON.stringify(unchanged),
  });
  const code = await running.exited;
  return { code, output: running.output() };
}

/** Runs the fixture's fake `pulumi` as the real one is run: in the project directory, exit code and both streams. */
function runFake(root: string, cwd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((done) => {
    execFile(join(root, "bin", "pulumi"), args, { cwd }, (error, stdout, stderr) =>
      done({ stdout, stderr, code: error ? (typeof error.code === "number" ? error.code : -1) : 0 }),
    );
  });
}

async function updates(s: OpsStack): Promise<number> {
  return (await s.stack.history()).length;
}

describe.skipIf(unavailable)("the ops jobs on the real pulumi CLI (no language host, no provider)", () => {
  let s: OpsStack;
  let unchangedNightCommands: string[][] | undefined;

  beforeAll(async () => {
    s = await opsStack(tc);
    for (const [key, value] of [
      ["siteHostname", "blog.example.org"],
      ["networkName", "private"],
      ["floatingIpPool", "public"],
      ["flavorName", "s1-2"],
      ["imageName", "wordpress-standby"],
      ["praActive", "false"],
    ]) {
      const r = await s.cli(["config", "set", "--stack", "dev", key, value]);
      expect(r.code, r.stderr).toBe(0);
    }
    const cidr = await s.cli(["config", "set", "--stack", "dev", "--path", "adminCidrs[0]", "198.51.100.7/32"]);
    expect(cidr.code, cidr.stderr).toBe(0);
    await s.publish(standby());
  }, 180_000);
  afterAll(() => s?.dispose());

  it("an unchanged night boots nothing: exit 0, no update recorded", async () => {
    const before = await updates(s);
    const r = await runJob(s, "nightly");
    expect(r.code, r.output).toBe(ExitCode.Ok);
    expect(r.output).toContain(`unchanged since ${lastNight.snapshotTime}: no instance booted`);
    expect(await updates(s)).toBe(before);
    unchangedNightCommands = s.commands();
  }, 180_000);

  it("the fake pulumi of test/ops is asked the same commands as the real CLI for that night", async () => {
    const fx = makeFixture({ outputs: { recoveryPoint: JSON.stringify(lastNight) } });
    try {
      expect(
        await runNightly(
          ["--stack", "dev", "--work-dir", fx.workDir],
          testDeps(fx, async () => unchanged),
        ),
      ).toBe(ExitCode.Ok);
      expect(unchangedNightCommands, "run with the unchanged night's test").toBeDefined();
      expect(fx.commands()).toEqual(unchangedNightCommands);
    } finally {
      fx.dispose();
    }
  }, 60_000);

  it("the fake answers as the real CLI: config with defaults, a missing key, a missing stack, the config an update records", async () => {
    const fx = makeFixture({ outputs: { recoveryPoint: JSON.stringify(lastNight) } });
    try {
      const fake = (args: string[]) => runFake(fx.root, fx.workDir, args);
      const same = async (args: string[]) => {
        const [real, imitation] = [await s.cli(args), await fake(args)];
        expect({ code: imitation.code, stderr: imitation.stderr }, args.join(" ")).toEqual({
          code: real.code,
          stderr: real.stderr,
        });
        return [real.stdout, imitation.stdout];
      };
      const [realConfig, fakeConfig] = await same(["config", "--json", "--stack", "dev", "--non-interactive"]);
      expect(JSON.parse(fakeConfig ?? "")).toEqual(JSON.parse(realConfig ?? ""));
      await same(["config", "get", "--json", "--stack", "dev", "nope"]);
      // a key without default unset: both refuse to report any config
      await same(["config", "rm", "--stack", "dev", "networkName"]);
      try {
        await same(["config", "--json", "--stack", "dev", "--non-interactive"]);
      } finally {
        await same(["config", "set", "--stack", "dev", "networkName", "private"]);
      }
      await same(["stack", "select", "--stack", "nope", "--non-interactive"]);
      expect((await fake(["up", "--yes", "--stack", "dev"])).code).toBe(0);
      const [realHistory, fakeHistory] = await same([
        "stack",
        "history",
        "--json",
        "--page-size",
        "1",
        "--stack",
        "dev",
      ]);
      const configOf = (text: string | undefined) => JSON.parse(text ?? "")[0].config;
      expect(configOf(fakeHistory)).toEqual(configOf(realHistory));
    } finally {
      fx.dispose();
    }
  }, 120_000);

  it("refuses with exit 3 while praActive=true (set through the real CLI), and changes nothing", async () => {
    expect((await s.cli(["config", "set", "--stack", "dev", "praActive", "true"])).code).toBe(0);
    try {
      const before = await updates(s);
      const r = await runJob(s, "nightly");
      expect(r.code, r.output).toBe(ExitCode.RefusedActive);
      expect(r.output).toContain("pra:praActive is true on stack dev");
      expect(await updates(s)).toBe(before);
    } finally {
      await s.cli(["config", "set", "--stack", "dev", "praActive", "false"]);
    }
  }, 180_000);

  it("refuses with exit 3 when the last real update ran with praActive=true though the config here says false", async () => {
    await s.cli(["config", "set", "--stack", "dev", "praActive", "true"]);
    await s.publish(standby({ mode: "active" }));
    await s.cli(["config", "set", "--stack", "dev", "praActive", "false"]);
    try {
      const r = await runJob(s, "nightly");
      expect(r.code, r.output).toBe(ExitCode.RefusedActive);
      expect(r.output).toMatch(/ran with praActive=true, although Pulumi\.dev\.yaml here says false/);
    } finally {
      await s.publish(standby());
    }
  }, 180_000);

  it("npm run status reads the real stack, and reports what it reports from the fake's answers", async () => {
    const real = await new Promise<JobResult>((done) => {
      execFile(
        process.execPath,
        [
          "--import",
          "tsx",
          join(projectRoot, "ops/status-cli.ts"),
          "--stack",
          "dev",
          "--work-dir",
          s.workDir,
          "--json",
        ],
        { cwd: projectRoot, env: { ...process.env, ...s.env } },
        (error, stdout, stderr) =>
          done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, output: stdout + stderr }),
      );
    });
    const report = JSON.parse(real.output);
    expect(report).toMatchObject({
      configured: true,
      stack: "dev",
      mode: "standby",
      newestRecoveryPoint: { run: lastNight.run },
      monthlyCostEur: 3.37,
    });
    expect(s.commands().filter((c) => ["up", "preview"].includes(c[0] ?? ""))).toEqual([]);
    const fx = makeFixture({
      outputs: { ...standby(), recoveryPoint: JSON.stringify(lastNight) },
      history: [historyEntry({})],
    });
    try {
      let text = "";
      const code = await runStatus(["--stack", "dev", "--work-dir", fx.workDir, "--json"], {
        now: () => new Date(),
        out: (t) => {
          text += t;
        },
        pulumiRoot: fx.root,
        env: { ...process.env, ...s.env },
      });
      const imitation = JSON.parse(text);
      // the CLI's answers only: not the age (the clock), the warnings (this machine), nor the earlier
      // tests' nightly results that .pra/ keeps in the real work directory
      const steady = (r: Record<string, unknown>) => ({
        ...r,
        dataAgeHours: undefined,
        warnings: undefined,
        lastNightly: undefined,
      });
      expect(steady(imitation)).toEqual(steady(report));
      expect(code).toBe(real.code);
    } finally {
      fx.dispose();
    }
  }, 120_000);

  it("while a real pulumi holds the stack's lock, history shows no update in progress (so no exit 4), an unchanged night only reads, an up is refused by the lock (recognised by ops/, answered alike by the fake)", async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const previous = (await s.stack.history(1, 1))[0];
    const running = s.publish(standby(), held);
    try {
      const locks = join(s.backendUrl.replace(/^file:\/\//, ""), ".pulumi", "locks", "organization", "pra", "dev");
      const deadline = Date.now() + 60_000;
      while (!existsSync(locks) || !readdirSync(locks).some((f) => f.endsWith(".json"))) {
        if (Date.now() > deadline) throw new Error(`the held up never wrote its lock under ${locks}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // A file (or S3) backend writes the history entry when the update ends: the newest entry is the
      // last finished update, never "in-progress" (test/ops' historyEntry(…, "in-progress") is what
      // Pulumi Cloud shows), so the session's in-progress check cannot see a run on another machine here.
      const newest = (await s.stack.history(1, 1))[0];
      expect(newest?.version).toBe(previous?.version);
      expect(newest?.result).toBe("succeeded");
      const r = await runJob(s, "nightly");
      expect(r.code, r.output).toBe(ExitCode.Ok);
      expect(s.commands().filter((c) => ["up", "preview"].includes(c[0] ?? ""))).toEqual([]);
      // What a job's own `up` meets instead: the engine's lock error, before any program runs.
      const up = await s.cli(["up", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive"]);
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(
        /^error: the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./m,
      );
      // ops/ recognises that refusal (exit 4, nothing to tear down) and names the holder as the engine does.
      const refused = await s.stack.up().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(lockRefusal(refused)).toMatch(/^\S+@\S+ \(pid \d+\) at \d{4}-\d\d-\d\dT[\d:]+Z$/);
      // test/ops' fake answers an up under its upsBeforeLock switch the same way: exit code, stderr's shape
      const fx = makeFixture({ outputs: {}, behaviour: { upsBeforeLock: 0 } });
      try {
        const fake = await runFake(fx.root, fx.workDir, [
          "up",
          "--yes",
          "--skip-preview",
          "--stack",
          "dev",
          "--non-interactive",
        ]);
        const shape = (text: string) =>
          text.replace(
            /file:\/\/\S+\.json\?no_tmp_dir=true: created by \S+ \(pid \d+\) at \S+/,
            "LOCK-FILE: created by HOLDER",
          );
        expect({ code: fake.code, stdout: fake.stdout, stderr: shape(fake.stderr) }).toEqual({
          code: up.code,
          stdout: up.stdout,
          stderr: shape(up.stderr),
        });
      } finally {
        fx.dispose();
      }
    } finally {
      release();
      await running;
    }
  }, 300_000);
});
