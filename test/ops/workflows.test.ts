import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PINNED_PULUMI_VERSION } from "../../ops/workspace";
import { projectRoot } from "./fixture";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "continue-on-error"?: unknown;
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown };
  concurrency: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<
    string,
    {
      env?: Record<string, string>;
      steps: Step[];
      "runs-on": string;
      "timeout-minutes"?: number;
      if?: unknown;
      "continue-on-error"?: unknown;
    }
  >;
}

/** A GitHub Actions expression as written in the workflow: ${{ ... }}. */
const expr = (inner: string) => `\${{ ${inner} }}`;
const read = (file: string) => readFileSync(join(projectRoot, file), "utf8");
const workflow = (file: string): Workflow => parse(read(file)) as Workflow;
const onlyJob = (w: Workflow) => {
  const jobs = Object.values(w.jobs);
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
/** Every secrets.X the workflow references, wherever. */
const secretsUsed = (file: string) =>
  [...new Set([...read(file).matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]))].sort();

/** "m h dom mon dow" with plain numbers or * only. */
function cronFields(cron: string): string[] {
  const fields = cron.trim().split(/\s+/);
  expect(fields).toHaveLength(5);
  for (const f of fields) expect(f).toMatch(/^(\*|\d+)$/);
  return fields;
}

function commonChecks(file: string) {
  const w = workflow(file);
  // `on:` must survive YAML 1.1 readers too (a bare `on` is the boolean true there): the yaml package reads 1.2
  expect(Object.keys(w)).toContain("on");
  expect(w.on.workflow_dispatch !== undefined).toBe(true);
  expect(w.concurrency).toEqual({
    group: file.endsWith("failover.yml") ? "pra-failover" : "pra-standby",
    "cancel-in-progress": false,
  });
  const job = onlyJob(w);
  const pulumi = job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
  expect(pulumi).toHaveLength(1);
  expect(pulumi[0].uses).toBe("pulumi/actions@v6");
  expect(String(pulumi[0].with?.["pulumi-version"])).toBe(PINNED_PULUMI_VERSION);
  expect(pulumi[0].with?.command).toBeUndefined(); // install only: the job drives pulumi itself
  const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
  expect(String(node?.with?.["node-version"])).toBe("20");
  expect(job.steps.some((s) => s.run?.trim() === "npm ci --no-audit --no-fund")).toBe(true);
  expect(job.env).toMatchObject({
    PRA_STACK: expr("vars.PRA_STACK || 'dev'"),
    PULUMI_CONFIG_PASSPHRASE: expr("secrets.PULUMI_CONFIG_PASSPHRASE"),
    PULUMI_BACKEND_URL: expr("secrets.PULUMI_BACKEND_URL"),
    PULUMI_ACCESS_TOKEN: expr("secrets.PULUMI_ACCESS_TOKEN"),
    AWS_ACCESS_KEY_ID: expr("secrets.AWS_ACCESS_KEY_ID"),
    AWS_SECRET_ACCESS_KEY: expr("secrets.AWS_SECRET_ACCESS_KEY"),
    OS_CLOUD: expr("secrets.OS_CLOUD"),
  });
  const clouds = job.steps.find((s) => s.env?.OPENSTACK_CLOUDS_YAML);
  expect(clouds?.env?.OPENSTACK_CLOUDS_YAML).toBe(expr("secrets.OPENSTACK_CLOUDS_YAML"));
  expect(clouds?.run).toContain("~/.config/openstack/clouds.yaml");
  expect(clouds?.run).toContain("umask 077");
  // secrets only through env: never interpolated into a script
  for (const s of job.steps) expect(s.run ?? "").not.toMatch(/\$\{\{\s*(secrets|vars)\./);
  return { w, job };
}

/** Runs a step's script as the runner would (bash -e), with PRA_RUNNER as given. */
function runGuard(step: Step, runner: string) {
  return spawnSync("bash", ["-e", "-c", step.run ?? ""], { env: { PATH: process.env.PATH, PRA_RUNNER: runner } });
}

/**
 * Without vars.PRA_RUNNER the job would run on a GitHub-hosted runner outside adminCidrs: it would boot
 * a standby it cannot reach. The guard must be the first step, unconditional, and fail the job.
 */
function checkRunnerGuard(file: string) {
  const w = workflow(file);
  const job = onlyJob(w);
  expect(job.if).toBeUndefined();
  expect(job["continue-on-error"]).toBeUndefined();
  const guard = job.steps[0];
  expect(guard.env?.PRA_RUNNER).toBe(expr("vars.PRA_RUNNER"));
  expect(guard.if).toBeUndefined();
  expect(guard["continue-on-error"]).toBeUndefined();
  expect(guard.uses).toBeUndefined();
  const refused = runGuard(guard, "");
  expect(refused.status).not.toBe(0);
  expect(String(refused.stdout)).toMatch(/::error::vars\.PRA_RUNNER is not set.*adminCidrs.*Nothing was booted/);
  expect(runGuard(guard, "pra-runner").status).toBe(0);
  // Nothing that boots or installs comes before it.
  const work = job.steps.findIndex((s) => /npm run (sync:nightly|drill)/.test(s.run ?? ""));
  expect(work).toBeGreaterThan(0);
}

describe("workflows refuse to run without a self-hosted runner", () => {
  it.each([".github/workflows/nightly-sync.yml", ".github/workflows/drill.yml"])(
    "%s: the first step fails the job when vars.PRA_RUNNER is unset, and cannot be skipped",
    (file) => checkRunnerGuard(file),
  );
});

describe("nightly-sync workflow", () => {
  const file = ".github/workflows/nightly-sync.yml";

  it("runs nightly and on demand, in the shared group, never cancelled, with the pinned CLI", () => {
    const { w, job } = commonChecks(file);
    expect(w.on.schedule).toHaveLength(1);
    const [minute, hour, dom, month, dow] = cronFields(w.on.schedule?.[0].cron ?? "");
    expect([dom, month, dow]).toEqual(["*", "*", "*"]); // every day
    expect(Number(hour)).toBeLessThan(24);
    expect(Number(minute)).toBeLessThan(60);
    expect(job.steps.some((s) => s.run === 'npm run sync:nightly -- --stack "$PRA_STACK"')).toBe(true);
  });

  it("pings the dead-man URL on success only, and uses exactly the secrets it documents", () => {
    const { job } = commonChecks(file);
    const ping = job.steps.find((s) => s.env?.DEADMAN_URL);
    expect(ping?.if).toBe("success()");
    expect(ping?.env?.DEADMAN_URL).toBe(expr("secrets.DEADMAN_URL"));
    expect(ping?.run).toMatch(/curl .*"\$DEADMAN_URL"/);
    const sync = job.steps.findIndex((s) => s.run?.includes("sync:nightly"));
    expect(job.steps.indexOf(ping as Step)).toBeGreaterThan(sync);
    expect(secretsUsed(file)).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "DEADMAN_URL",
      "OPENSTACK_CLOUDS_YAML",
      "OS_CLOUD",
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
    ]);
    expect(read(file)).toMatch(/disabled after 60 days/i);
  });
});

describe("drill workflow", () => {
  const file = ".github/workflows/drill.yml";

  it("runs the live drill weekly and on demand, in the same group, and keeps the report", () => {
    const { w, job } = commonChecks(file);
    const [, , dom, month, dow] = cronFields(w.on.schedule?.[0].cron ?? "");
    expect([dom, month]).toEqual(["*", "*"]);
    expect(dow).toMatch(/^[0-6]$/); // one day a week
    expect(job.steps.some((s) => s.run === 'npm run drill -- --live --stack "$PRA_STACK"')).toBe(true);
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.if).toBe("always()");
    expect(upload?.with?.path).toBe(".pra/drill-*.md");
    expect(secretsUsed(file)).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "OPENSTACK_CLOUDS_YAML",
      "OS_CLOUD",
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
    ]);
  });
});

describe("failover workflow", () => {
  const file = ".github/workflows/failover.yml";

  it("runs on demand only, on GitHub's runner unless told otherwise, in its own group, with nothing but repository secrets", () => {
    const { w, job } = commonChecks(file);
    expect(w.on.schedule).toBeUndefined();
    // Not the nightly's self-hosted runner: that one may have died with the primary.
    expect(job["runs-on"]).toBe(expr("vars.PRA_FAILOVER_RUNNER || 'ubuntu-24.04'"));
    expect(job.steps.some((s) => s.run === 'npm run failover -- --stack "$PRA_STACK"')).toBe(true);
    expect(secretsUsed(file)).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "OPENSTACK_CLOUDS_YAML",
      "OS_CLOUD",
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
    ]);
  });

  it("refuses first, before anything else, when the state backend is empty or a local file", () => {
    const { job } = commonChecks(file);
    const guard = job.steps[0];
    expect(guard.run).toContain('case "$PULUMI_BACKEND_URL" in');
    const check = (url: string) =>
      spawnSync("bash", ["-c", guard.run ?? ""], { env: { PATH: process.env.PATH, PULUMI_BACKEND_URL: url } }).status;
    expect(check("")).toBe(2);
    expect(check("file:///home/me/.pulumi-pra")).toBe(2);
    expect(check("s3://pra-state?endpoint=https://s3.example.net&s3ForcePathStyle=true&region=r1")).toBe(0);
    expect(check("https://api.pulumi.com")).toBe(0);
  });
});

/** systemd unit files as section -> key -> values (keys may repeat). */
function unit(file: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of read(file).split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]] = {};
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    expect(kv, `${file}: not a key=value line: ${line}`).not.toBeNull();
    expect(current, `${file}: ${line} outside a section`).toBeDefined();
    if (!kv || !current) continue;
    current[kv[1]] = [...(current[kv[1]] ?? []), kv[2]];
  }
  return sections;
}

describe("systemd units for running the job on the primary", () => {
  it("the timer runs nightly, catches up missed nights, and spreads the start", () => {
    const t = unit("docs/systemd/pra-nightly.timer");
    expect(Object.keys(t).sort()).toEqual(["Install", "Timer", "Unit"]);
    expect(t.Timer.OnCalendar).toEqual(["*-*-* 02:30:00"]);
    expect(t.Timer.Persistent).toEqual(["true"]);
    expect(t.Timer.RandomizedDelaySec?.[0]).toMatch(/^\d+(min|s|h)?$/);
    expect(t.Timer.Unit).toEqual(["pra-nightly.service"]);
    expect(t.Install.WantedBy).toEqual(["timers.target"]);
  });

  it("the service runs the job itself as a non-root user, with secrets as credentials and a graceful stop", () => {
    const s = unit("docs/systemd/pra-nightly.service");
    expect(s.Service.Type).toEqual(["oneshot"]);
    expect(s.Service.User?.[0]).not.toBe("root");
    expect(s.Service.ExecStart).toEqual(["/usr/bin/node --import tsx ops/nightly.ts --stack prod"]);
    // SIGTERM to the job only, so it can cancel pulumi and tear down before anything is killed
    expect(s.Service.KillMode).toEqual(["mixed"]);
    expect(s.Service.TimeoutStopSec?.[0]).toMatch(/min$/);
    expect(s.Service.LoadCredential).toContain("passphrase:/etc/pra/passphrase");
    expect(s.Service.Environment).toContain("PULUMI_CONFIG_PASSPHRASE_FILE=%d/passphrase");
    expect(s.Service.Environment?.some((e) => e.startsWith("OS_CLOUD="))).toBe(true);
    expect(s.Service.Environment?.some((e) => /PASSPHRASE=/.test(e))).toBe(false); // never the value itself
    // The state bucket's URL and keys from a root-only file, optional, never in the world-readable unit.
    expect(s.Service.EnvironmentFile).toEqual(["-/etc/pra/state.env"]);
    expect(s.Service.Environment?.some((e) => /AWS_SECRET_ACCESS_KEY=/.test(e))).toBe(false);
    expect(s.Service.ExecStartPost?.[0]).toMatch(/^-\/usr\/bin\/curl .*--config \/etc\/pra\/deadman\.curl$/);
    expect(s.Unit.After?.[0]).toContain("network-online.target");
  });
});
