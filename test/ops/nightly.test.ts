import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ExitCode } from "../../ops/exitCodes";
import { runNightly } from "../../ops/nightlyJob";
import type { NightlyStatus } from "../../ops/status";
import type { Fingerprint } from "../../sync/runner/fingerprint";
import { baseConfig, type Fixture, historyEntry, hoursAgo, makeFixture, record, tables, testDeps } from "./fixture";

// Tests run concurrently (each run spends most of its time starting the fake CLI); each has its own
// fixture directory and signal bus, and the fixtures are removed once all are done.
const fixtures: Fixture[] = [];
afterAll(() => {
  for (const fx of fixtures.splice(0)) fx.dispose();
});

function setup(opts: Parameters<typeof makeFixture>[0]): Fixture {
  const fx = makeFixture(opts);
  fixtures.push(fx);
  return fx;
}

const unchanged: Fingerprint = { fileDigest: "digest-1", tables };
const changedFiles: Fingerprint = { fileDigest: "digest-2", tables };
const lastNight = (snapshotTime = hoursAgo(20)) => JSON.stringify(record("nightly-20250101T020000Z", snapshotTime));
const fresh = record("ignored", new Date().toISOString(), "digest-2");
const args = (fx: Fixture, ...more: string[]) => ["--stack", "dev", "--work-dir", fx.workDir, ...more];
const stackConfig = (fx: Fixture) => parse(readFileSync(fx.stackFile, "utf8")).config as Record<string, unknown>;
const status = (fx: Fixture) => JSON.parse(readFileSync(join(fx.workDir, ".pra/status.json"), "utf8")) as NightlyStatus;

/** An alert command that appends its stdin to a file, so the test sees whether and what it was told. */
function withAlertFile(
  fx: Fixture,
  config: Record<string, unknown> = {},
): { file: string; config: Record<string, unknown> } {
  const file = join(fx.root, "alerts.txt");
  return {
    file,
    config: {
      ...baseConfig,
      "pra:alertCommand": `cat >> '${file}'; echo "== $PRA_ALERT_SUBJECT" >> '${file}'`,
      ...config,
    },
  };
}

function rewriteConfig(fx: Fixture, config: Record<string, unknown>) {
  const text = readFileSync(fx.stackFile, "utf8").replace(/config:[\s\S]*$/, "");
  writeFileSync(fx.stackFile, `${text}${stringify({ config })}`);
}

describe.concurrent("nightly: refusal while failed over", () => {
  it("exits 3 without any up, config change or fingerprint, and does not alert", async () => {
    const fx = setup({ config: { ...baseConfig, "pra:praActive": true }, outputs: { recoveryPoint: lastNight() } });
    const alert = withAlertFile(fx, { "pra:praActive": true });
    rewriteConfig(fx, alert.config);
    const before = readFileSync(fx.stackFile, "utf8");
    const deps = testDeps(fx, async () => changedFiles);
    const code = await runNightly(args(fx), deps);
    expect(code).toBe(ExitCode.RefusedActive);
    expect(fx.commands().filter((c) => c[0] === "up" || (c[0] === "config" && ["set", "rm"].includes(c[1])))).toEqual(
      [],
    );
    expect(deps.fingerprintCalls).toHaveLength(0);
    expect(readFileSync(fx.stackFile, "utf8")).toBe(before);
    expect(deps.output()).toMatch(/refusing the nightly sync: pra:praActive is true/);
    expect(deps.output()).toMatch(/pra nightly: REFUSED exit=3 \(refused while failed over/);
    expect(existsSync(alert.file)).toBe(false);
    expect(status(fx).exitCode).toBe(3);
  });
});

describe.concurrent("nightly: the state's last update counts, not only this checkout's config", () => {
  it("refuses (exit 3) when the state was last updated with praActive=true from another machine", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, history: [historyEntry({ praActive: true })] });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.RefusedActive);
    expect(deps.output()).toMatch(/ran with praActive=true, although Pulumi\.dev\.yaml here says false/);
    expect(fx.ups()).toEqual([]);
  });

  it("tears down first when the last update ran with a syncRun no teardown followed (a run died on CI)", async () => {
    const fx = setup({
      outputs: { recoveryPoint: lastNight() },
      history: [historyEntry({ syncRun: "nightly-20250101T020000Z" })],
    });
    fx.patchState({ instance: true });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(deps.output()).toMatch(/ran with pra:syncRun=nightly-20250101T020000Z and no teardown followed/);
    expect(fx.ups()).toEqual([{ praActive: "false", syncRun: "", drillRun: "" }]);
    expect(fx.state().instance).toBe(false);
  });

  it("runs up first after a failed last update (e.g. last night's teardown), so no instance is left", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, history: [historyEntry({}, "failed")] });
    fx.patchState({ instance: true });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(deps.output()).toMatch(/failed\) did not succeed: running up first so that no instance is left/);
    expect(fx.state().instance).toBe(false);
  });

  it("exits 4 while another machine's update is in progress", async () => {
    const fx = setup({
      outputs: { recoveryPoint: lastNight() },
      history: [historyEntry({ syncRun: "nightly-x" }, "in-progress")],
    });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Locked);
    expect(deps.output()).toMatch(/has an update in progress since/);
    expect(fx.ups()).toEqual([]);
  });
});

describe.concurrent("nightly: where the state lives", () => {
  it("warns at the start, before the summary and in the status file when the state is a file on the primary", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() } });
    const deps = testDeps(fx, async () => unchanged, { env: { HOME: fx.root } });
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    const warning = `WARNING: the Pulumi state is a local file on the primary (${fx.root}/.pulumi-pra, pra:source is local).`;
    const lines = deps.output().split("\n");
    const warned = lines.flatMap((l, i) => (l.includes(warning) ? [i] : []));
    expect(warned).toHaveLength(3);
    expect(warned[0]).toBeLessThan(lines.findIndex((l) => l.includes("unchanged since")));
    expect(lines[warned[1] + 1]).toMatch(/^pra nightly: ok /);
    // The one line a cron mail or a log scraper keeps carries it too.
    expect(lines[warned[2]]).toMatch(/^pra nightly: ok .*; WARNING: the Pulumi state is a local file on the primary/);
    expect(status(fx).summary).toContain(warning);
    expect(status(fx).stateWarning).toContain(warning);
  });

  it("says nothing about the state when it lives in a bucket", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() } });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(deps.output()).not.toMatch(/WARNING/);
    expect(status(fx).stateWarning).toBeUndefined();
  });
});

describe.concurrent("nightly: change check", () => {
  it("skips the boot when files and tables are unchanged: no up, exit 0, verified time recorded", async () => {
    const snapshot = hoursAgo(40); // a quiet blog: old snapshot, but verified current tonight
    const fx = setup({ outputs: { recoveryPoint: lastNight(snapshot) } });
    const alert = withAlertFile(fx);
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(fx.ups()).toEqual([]);
    expect(fx.commands().some((c) => c[0] === "config" && c[1] === "set")).toBe(false);
    expect(deps.output()).toContain(`unchanged since ${snapshot}: no instance booted`);
    expect(deps.output()).toMatch(/pra nightly: ok run=- data age=40\.0h instance minutes=0\.0/);
    const st = status(fx);
    expect(st.exitCode).toBe(0);
    expect(st.snapshotTime).toBe(snapshot);
    expect(st.dataAgeHours).toBeCloseTo(40, 0);
    expect(st.verifiedUnchangedAt).toBeDefined();
    expect(existsSync(alert.file)).toBe(false);
  });

  it("warns (status file, summary, alert) when the synced certificate expires within 14 days, and still exits 0", async () => {
    const notAfter = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const certificate = { names: ["blog.example.org"], notAfter };
    const withCert = JSON.stringify({ ...JSON.parse(lastNight(hoursAgo(2))), certificate });
    const fx = setup({ outputs: { recoveryPoint: withCert } });
    const alert = withAlertFile(fx);
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    const st = status(fx);
    expect(st.certificate).toEqual(certificate);
    expect(st.warnings).toEqual([expect.stringMatching(/certificate for blog\.example\.org expires in 5\.0 days/)]);
    expect(st.summary).toMatch(/^pra nightly: ok .*; WARNING: the synced certificate/);
    expect(readFileSync(alert.file, "utf8")).toMatch(/Certificate: .* docs\/RUNBOOK\.md#https/);
  });

  it("passes the stack's source, web root, socket and decrypted primary key to the fingerprint, never to argv", async () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material\n-----END OPENSSH PRIVATE KEY-----";
    const config = {
      ...baseConfig,
      "pra:source": "ssh",
      "pra:primaryHost": "home.example.org",
      "pra:primaryHostKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q",
      "pra:webRoot": "/srv/www/blog",
      "pra:primarySshPrivateKey": { secure: `fake:${Buffer.from(key).toString("base64")}` },
    };
    const fx = setup({ config, outputs: { recoveryPoint: lastNight() }, behaviour: { recordAfterSync: fresh } });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(deps.fingerprintCalls).toEqual([
      {
        source: {
          kind: "ssh",
          host: "home.example.org",
          port: 22,
          user: "pra",
          hostPublicKey: config["pra:primaryHostKey"],
          hostKeyAlias: "pra-primary",
        },
        primaryPrivateKey: key,
        webRoot: "/srv/www/blog",
        dbSocket: "/run/mysqld/mysqld.sock",
      },
    ]);
    expect(JSON.stringify(fx.commands())).not.toContain("secret-key-material");
    expect(deps.output()).not.toContain("secret-key-material");
  });

  it("a changed table alone is a change", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { recordAfterSync: fresh } });
    const moreComments = { ...tables, wp_comments: { ...tables.wp_comments, rows: 4 } };
    const deps = testDeps(fx, async () => ({ fileDigest: "digest-1", tables: moreComments }));
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(deps.output()).toMatch(/changed since .*: wp_comments/);
    expect(fx.ups()).toHaveLength(2);
  });

  it("an unreachable primary fails with exit 6 and an alert, without booting", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() } });
    const alert = withAlertFile(fx);
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => {
      throw new Error("ssh: connect to host home.example.org port 22: No route to host");
    });
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.PrimaryUnreachable);
    expect(fx.ups()).toEqual([]);
    expect(readFileSync(alert.file, "utf8")).toMatch(/FAILED exit=6 .*No route to host/);
  });

  it("--force and a missing recovery point sync without reading the primary", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { recordAfterSync: fresh } });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx, "--force"), deps)).toBe(ExitCode.Ok);
    expect(deps.fingerprintCalls).toHaveLength(0);
    const fx2 = setup({ outputs: { recoveryPoint: "" }, behaviour: { recordAfterSync: fresh } });
    const deps2 = testDeps(fx2, async () => unchanged);
    expect(await runNightly(args(fx2), deps2)).toBe(ExitCode.Ok);
    expect(deps2.fingerprintCalls).toHaveLength(0);
    expect(deps2.output()).toContain("no recovery point recorded yet");
    expect(fx2.ups().map((u) => u.syncRun !== "")).toEqual([true, false]);
  });
});

describe.concurrent("nightly: the sync and its teardown", () => {
  it("runs up with a new syncRun, then up without it; the instance is gone and the summary says so", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { recordAfterSync: fresh } });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    const ups = fx.ups();
    expect(ups).toHaveLength(2);
    expect(ups[0].syncRun).toMatch(/^nightly-\d{8}T\d{6}Z$/);
    expect(ups[1]).toEqual({ praActive: "false", syncRun: "", drillRun: "" });
    expect(fx.state().instance).toBe(false);
    expect(stackConfig(fx)["pra:syncRun"]).toBeUndefined();
    // the engine's output is streamed
    expect(deps.output()).toContain("+ openstack:compute:Instance pra-standby created");
    expect(deps.output()).toMatch(
      new RegExp(
        `pra nightly: ok run=${ups[0].syncRun} data age=0\\.0h instance minutes=\\d+\\.\\d \\(synced 1500 files, 2 tables\\)`,
      ),
    );
    const st = status(fx);
    expect(st.run).toBe(ups[0].syncRun);
    expect(st.dataAgeHours).toBeLessThan(0.1);
    expect(st.summary).toMatch(/^pra nightly: ok /);
  });

  it("tears down after a failed sync: second up still happens, exit 1, alert with the reason", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { failSyncUp: true } });
    const alert = withAlertFile(fx);
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Failed);
    expect(fx.ups().map((u) => u.syncRun !== "")).toEqual([true, false]);
    expect(fx.state().instance).toBe(false);
    expect(stackConfig(fx)["pra:syncRun"]).toBeUndefined();
    const told = readFileSync(alert.file, "utf8");
    expect(told).toMatch(/pra nightly: FAILED exit=1 .*dump checksum mismatch/);
    expect(told).toMatch(/== pra nightly: FAILED exit=1/); // PRA_ALERT_SUBJECT
    expect(status(fx).exitCode).toBe(1);
  });

  it("a sync rolled back keeps what really serves as the record: the next night, primary unchanged since, boots and repairs", async () => {
    // The standby was found serving an older point than the state said (e.g. restored by hand): the
    // failed night's up reported it, so the record no longer claims the primary's current state.
    const older = JSON.stringify(record("nightly-20241231T020000Z", hoursAgo(44), "digest-0"));
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { rolledBackTo: older } });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Failed);
    expect(deps.output()).toMatch(/failed its check through the real site; rolled back/);
    expect(fx.state().outputs.recoveryPoint).toBe(older);
    expect(status(fx).snapshotTime).toBe(JSON.parse(older).snapshotTime);

    // The next night: the primary has not changed since the failed night, but the standby does not serve it.
    const fx2 = setup({ outputs: { recoveryPoint: older }, behaviour: { recordAfterSync: fresh } });
    const deps2 = testDeps(fx2, async () => changedFiles);
    expect(await runNightly(args(fx2), deps2)).toBe(ExitCode.Ok);
    expect(deps2.output()).toMatch(/changed since .*: \(files\)/);
    expect(fx2.ups().map((u) => u.syncRun !== "")).toEqual([true, false]);
    expect(JSON.parse(String(fx2.state().outputs.recoveryPoint)).run).toBe(fx2.ups()[0].syncRun);
  });

  it("a standby where no verified generation serves ({} kept) is synced the next night without the change check", async () => {
    const fx = setup({ outputs: { recoveryPoint: "{}" }, behaviour: { recordAfterSync: fresh } });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(deps.output()).toContain("no recovery point recorded yet: syncing without the change check");
    expect(fx.ups()).toHaveLength(2);
  });

  it("retries a failing teardown, and exits 5 with the fix when it keeps failing", async () => {
    const fx = setup({
      outputs: { recoveryPoint: lastNight() },
      behaviour: { recordAfterSync: fresh, failTeardowns: 1 },
    });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(fx.ups().map((u) => u.syncRun !== "")).toEqual([true, false, false]);
    expect(fx.state().instance).toBe(false);

    const fx2 = setup({
      outputs: { recoveryPoint: lastNight() },
      behaviour: { recordAfterSync: fresh, failTeardowns: 5 },
    });
    const alert = withAlertFile(fx2);
    rewriteConfig(fx2, alert.config);
    const deps2 = testDeps(fx2, async () => changedFiles);
    expect(await runNightly(args(fx2), deps2)).toBe(ExitCode.TeardownFailed);
    expect(fx2.ups()).toHaveLength(3); // the sync + teardownAttempts (2)
    expect(fx2.state().instance).toBe(true);
    expect(readFileSync(alert.file, "utf8")).toMatch(
      /exit=5 .*pulumi config rm syncRun --stack dev && pulumi up --stack dev/,
    );
  });

  it("another update holds the stack's pulumi lock (file/S3 backend, no in-progress in history): the refused boot ends with exit 4, no teardown up, syncRun removed, no alert", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { upsBeforeLock: 0 } });
    const alert = withAlertFile(fx);
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Locked);
    expect(fx.ups().map((u) => u.syncRun !== "")).toEqual([true]);
    expect(stackConfig(fx)["pra:syncRun"]).toBeUndefined();
    expect(fx.state().instance).toBe(false);
    expect(deps.output()).toMatch(
      /pra nightly: FAILED exit=4 .*nothing was booted or changed.*locked by another pulumi update \(ops@ci-runner \(pid 4242\) at 2026-11-25T02:00:00Z\).*Only if no pulumi update of dev runs any more .*: pulumi cancel --stack dev/,
    );
    expect(status(fx).exitCode).toBe(ExitCode.Locked);
    expect(existsSync(alert.file)).toBe(false);
  });

  it("a lock that outlives the data bound (a killed pulumi's lock file): still exit 4, but the stale data is alerted", async () => {
    const fx = setup({
      outputs: { recoveryPoint: lastNight(hoursAgo(30)) },
      behaviour: { upsBeforeLock: 0 },
    });
    const alert = withAlertFile(fx);
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Locked);
    expect(readFileSync(alert.file, "utf8")).toMatch(/exit=4 [\s\S]*last known current at .*bound 26h/);
  });

  it("the lock taken after the boot went through: the refused teardowns end with exit 5, naming the lock and the fix", async () => {
    const fx = setup({
      outputs: { recoveryPoint: lastNight() },
      behaviour: {
        recordAfterSync: fresh,
        upsBeforeLock: 1,
        lockHolder: "ana@laptop (pid 77) at 2026-11-25T02:10:00Z",
      },
    });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.TeardownFailed);
    expect(fx.ups().map((u) => u.syncRun !== "")).toEqual([true, false, false]);
    expect(fx.state().instance).toBe(true);
    expect(deps.output()).toMatch(
      /FAILED exit=5 .*the instance may still be running: the teardown up was refused: stack dev is locked by another pulumi update \(ana@laptop \(pid 77\) at 2026-11-25T02:10:00Z\).*Fix: pulumi config rm syncRun --stack dev && pulumi up --stack dev/,
    );
  });

  it("a leftover whose removal the lock refuses: exit 4, the leftover's key kept for the next run", async () => {
    const fx = setup({
      config: { ...baseConfig, "pra:syncRun": "nightly-20250101T020000Z" },
      outputs: { recoveryPoint: lastNight() },
      behaviour: { upsBeforeLock: 0 },
    });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Locked);
    expect(fx.ups().map((u) => u.syncRun)).toEqual(["", ""]); // teardownAttempts (2), no boot
    expect(stackConfig(fx)["pra:syncRun"]).toBe("nightly-20250101T020000Z");
    expect(deps.output()).toMatch(
      /exit=4 .*the leftover could not be removed, nothing was changed: stack dev is locked/,
    );
  });

  it("checks the cloud with a preview before it sets syncRun: the sync's up comes after it", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { recordAfterSync: fresh } });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    const steps = fx
      .commands()
      .filter((c) => ["preview", "up"].includes(c[0]) || (c[0] === "config" && c[1] === "set"))
      .map((c) => c.slice(0, c[0] === "config" ? 3 : 1).join(" "));
    expect(steps).toEqual(["preview", "config set syncRun", "up", "up"]);
  });

  it("rejected credentials: exit 9 with the cloud's reason and an alert, before syncRun is set or anything boots", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { rejectCredentials: true } });
    const alert = withAlertFile(fx);
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.CloudCheckFailed);
    expect(fx.ups()).toEqual([]);
    expect(fx.commands().some((c) => c[0] === "config" && ["set", "rm"].includes(c[1]))).toBe(false);
    expect(stackConfig(fx)["pra:syncRun"]).toBeUndefined();
    expect(deps.output()).toMatch(
      /pra nightly: FAILED exit=9 \(cloud check failed .*\).*the cloud check failed, nothing booted: .*Authentication failed/,
    );
    expect(deps.output()).toContain("Check the OpenStack credentials");
    expect(readFileSync(alert.file, "utf8")).toMatch(/FAILED exit=9 /);
    expect(status(fx).exitCode).toBe(9);
    expect(status(fx).instanceMinutes).toBe(0);
  });

  it("fails (exit 1) when the up succeeded but did not record this run's recovery point", async () => {
    const fx = setup({ outputs: { recoveryPoint: lastNight() } });
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Failed);
    expect(deps.output()).toMatch(/recovery point was not updated \(it is still run nightly-20250101T020000Z\)/);
    expect(fx.ups()).toHaveLength(2);
  });

  it("alerts and exits 7 when the newest recovery point is older than pra:maxDataAgeHours", async () => {
    const fx = setup({
      outputs: { recoveryPoint: lastNight() },
      behaviour: { recordAfterSync: record("x", hoursAgo(5), "digest-2") },
    });
    const alert = withAlertFile(fx, { "pra:maxDataAgeHours": 4 });
    rewriteConfig(fx, alert.config);
    const deps = testDeps(fx, async () => changedFiles);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Stale);
    expect(readFileSync(alert.file, "utf8")).toMatch(/exit=7 .*older than 4h[\s\S]*last known current at .*bound 4h/);
    expect(status(fx).maxDataAgeHours).toBe(4);
  });

  it("posts the alert as JSON to pra:alertUrl without printing the URL", async () => {
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        bodies.push({ path: req.url, type: req.headers["content-type"], body: JSON.parse(body) });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/t0ken-123`;
      const fx = setup({ outputs: { recoveryPoint: lastNight() }, behaviour: { failSyncUp: true } });
      rewriteConfig(fx, { ...baseConfig, "pra:alertUrl": url });
      const deps = testDeps(fx, async () => changedFiles, { fetch: globalThis.fetch });
      expect(await runNightly(args(fx), deps)).toBe(ExitCode.Failed);
      expect(bodies).toEqual([
        {
          path: "/hook/t0ken-123",
          type: "application/json",
          body: expect.objectContaining({
            job: "nightly",
            stack: "dev",
            exitCode: 1,
            text: expect.stringMatching(/FAILED exit=1/),
          }),
        },
      ]);
      expect(deps.output()).toContain("alert posted to pra:alertUrl");
      expect(deps.output()).not.toContain("t0ken-123");
    } finally {
      server.close();
    }
  });
});

describe.concurrent("nightly: leftovers of a crashed run", () => {
  it("removes a leftover syncRun and runs up before anything else, and says so", async () => {
    const fx = setup({
      config: { ...baseConfig, "pra:syncRun": "nightly-20250101T020000Z" },
      outputs: { recoveryPoint: lastNight() },
    });
    fx.patchState({ instance: true });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Ok);
    expect(deps.output()).toContain("found pra:syncRun=nightly-20250101T020000Z left by a run that did not finish");
    expect(fx.ups()).toEqual([{ praActive: "false", syncRun: "", drillRun: "" }]);
    expect(fx.state().instance).toBe(false);
    expect(deps.output()).toContain("no instance booted");
  });

  it("also clears a leftover drillRun; a failing cleanup is exit 5", async () => {
    const fx = setup({
      config: { ...baseConfig, "pra:drillRun": "drill-20250101T020000Z" },
      outputs: { recoveryPoint: lastNight() },
      behaviour: { failTeardowns: 9 },
    });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.TeardownFailed);
    expect(deps.output()).toContain("found pra:drillRun=drill-20250101T020000Z");
    expect(deps.fingerprintCalls).toHaveLength(0);
  });
});

describe.concurrent("nightly: usage and config errors exit 2", () => {
  it("rejects unknown flags and bad stack names", async () => {
    const fx = setup({});
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(["--stak", "dev"], deps)).toBe(ExitCode.Usage);
    expect(await runNightly(["--stack", "../etc"], deps)).toBe(ExitCode.Usage);
    expect(fx.commands()).toEqual([]);
  });

  it("never downloads a CLI: no pulumi where it looks is exit 2 with the install command", async () => {
    const fx = setup({});
    const deps = testDeps(fx, async () => unchanged, { pulumiRoot: join(fx.root, "missing") });
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Usage);
    expect(deps.output()).toMatch(/no pulumi CLI found .*sh -s -- --version 3\.248\.0/);
    expect(fx.commands()).toEqual([]);
  });

  it("rejects a praActive that is not a boolean with the program's own message", async () => {
    const fx = setup({ config: { ...baseConfig, "pra:praActive": "yes" } });
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(args(fx), deps)).toBe(ExitCode.Usage);
    expect(deps.output()).toContain('pra:praActive: "yes" is not a boolean');
    expect(fx.ups()).toEqual([]);
  });

  it("never creates a stack: a stack unknown to the backend is exit 2", async () => {
    const fx = setup({ stacks: ["dev"] });
    writeFileSync(join(fx.workDir, "Pulumi.prod.yaml"), "config: {}\n");
    const deps = testDeps(fx, async () => unchanged);
    expect(await runNightly(["--stack", "prod", "--work-dir", fx.workDir], deps)).toBe(ExitCode.Usage);
    expect(deps.output()).toContain("no stack prod in the backend");
    expect(fx.commands().some((c) => c[0] === "stack" && c[1] === "init")).toBe(false);
    expect(await runNightly(["--stack", "staging", "--work-dir", fx.workDir], deps)).toBe(ExitCode.Usage);
    expect(deps.output()).toContain("Pulumi.staging.yaml");
  });
});
