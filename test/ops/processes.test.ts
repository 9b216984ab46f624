import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ExitCode } from "../../ops/exitCodes";
import { type Fixture, hoursAgo, makeFixture, record, tables } from "./fixture";
import { startJob, waitFor } from "./spawn";

// Real processes: signals and two runs at once cannot be shown in-process.
const fixtures: Fixture[] = [];
afterAll(() => {
  for (const fx of fixtures.splice(0)) fx.dispose();
});

function hangingNight(hangUp: "syncRun" | "drillRun" = "syncRun", hangSeconds = 300): Fixture {
  const fx = makeFixture({
    outputs: { recoveryPoint: JSON.stringify(record("nightly-20250101T020000Z", hoursAgo(20))) },
    behaviour: { hangUp, hangSeconds },
  });
  fixtures.push(fx);
  return fx;
}

const changed = { FAKE_FINGERPRINT: JSON.stringify({ fileDigest: "digest-2", tables }) };
const hanging = (fx: Fixture) => fx.log().some((e) => e.event === "hang");
const syncRunOf = (fx: Fixture) => parse(readFileSync(fx.stackFile, "utf8")).config?.["pra:syncRun"];

// Five node processes start at once: on a loaded 2-core machine that alone can take a minute.
describe.concurrent("nightly as a process", { timeout: 300_000 }, () => {
  it("SIGTERM while the sync's up hangs: pulumi is cancelled, the teardown up still runs, exit 8", async () => {
    const fx = hangingNight();
    const job = startJob(fx, "nightly", [], changed);
    await waitFor(() => hanging(fx), "the fake up to hang");
    expect(syncRunOf(fx)).toMatch(/^nightly-/);
    job.signal("SIGTERM");
    expect(await job.exited).toBe(ExitCode.Interrupted);
    // pulumi got one SIGINT (graceful cancel), then a teardown up without syncRun
    expect(fx.log().filter((e) => e.event === "cancelled")).toEqual([{ event: "cancelled", signal: "SIGINT" }]);
    expect(fx.ups().map((u) => u.syncRun !== "")).toEqual([true, false]);
    expect(fx.state().instance).toBe(false);
    expect(syncRunOf(fx)).toBeUndefined();
    expect(job.output()).toContain("SIGTERM received: cancelling the running pulumi operation, then tearing down");
    expect(job.output()).toMatch(/pra nightly: FAILED exit=8 \(interrupted, instance torn down\)/);
  });

  it("SIGINT is not forwarded (Ctrl-C reaches pulumi itself): the up ends on its own, then the teardown", async () => {
    const fx = hangingNight("syncRun", 2);
    const job = startJob(fx, "nightly", [], changed);
    await waitFor(() => hanging(fx), "the fake up to hang");
    job.signal("SIGINT");
    expect(await job.exited).toBe(ExitCode.Interrupted);
    expect(fx.log().filter((e) => e.event === "cancelled")).toEqual([]);
    expect(fx.ups().map((u) => u.syncRun !== "")).toEqual([true, false]);
    expect(fx.state().instance).toBe(false);
  });

  it("a second run while the first holds the lock exits 4 and runs no pulumi command; so does a drill", async () => {
    const fx = hangingNight();
    const first = startJob(fx, "nightly", [], changed);
    await waitFor(() => hanging(fx), "the first run's up to hang");
    const commandsBefore = fx.commands().length;
    const second = startJob(fx, "nightly", [], changed);
    expect(await second.exited).toBe(ExitCode.Locked);
    expect(second.output()).toMatch(/another run holds the lock .*nightly sync of stack dev \(pid \d+/);
    const drill = startJob(fx, "drill", []);
    expect(await drill.exited).toBe(ExitCode.Locked);
    expect(fx.commands().length).toBe(commandsBefore);
    first.signal("SIGTERM");
    expect(await first.exited).toBe(ExitCode.Interrupted);
    expect(fx.state().instance).toBe(false);
  });

  it("takes over the lock of a dead run, and cleans up the syncRun it left", async () => {
    const fx = hangingNight();
    fx.patchState({ behaviour: {}, instance: true });
    const text = readFileSync(fx.stackFile, "utf8").replace(
      "config:\n",
      "config:\n  pra:syncRun: nightly-20250101T020000Z\n",
    );
    writeFileSync(fx.stackFile, text);
    // pid 2^22+1 is above Linux's pid_max limit: certainly not running
    mkdirSync(join(fx.workDir, ".pra"));
    writeFileSync(
      join(fx.workDir, ".pra/lock"),
      JSON.stringify({ pid: 4194305, host: hostname(), what: "nightly sync of stack dev", since: "x" }),
    );
    const job = startJob(fx, "nightly", [], { FAKE_FINGERPRINT: JSON.stringify({ fileDigest: "digest-1", tables }) });
    expect(await job.exited).toBe(ExitCode.Ok);
    expect(job.output()).toContain("taking over the stale lock of nightly sync of stack dev (pid 4194305");
    expect(job.output()).toContain("found pra:syncRun=nightly-20250101T020000Z left by a run that did not finish");
    expect(fx.ups()).toEqual([{ praActive: "false", syncRun: "", drillRun: "" }]);
    expect(fx.state().instance).toBe(false);
  });

  it("SIGTERM during a live drill tears the drill instance down too", async () => {
    const fx = hangingNight("drillRun");
    const job = startJob(fx, "drill", ["--live"]);
    await waitFor(() => hanging(fx), "the drill's up to hang");
    job.signal("SIGTERM");
    expect(await job.exited).toBe(ExitCode.Interrupted);
    expect(fx.ups().map((u) => u.drillRun !== "")).toEqual([true, false]);
    expect(fx.state().instance).toBe(false);
  });
});
