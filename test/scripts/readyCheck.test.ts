import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { READY_CHECK } from "../../sync/runner/ready";
import { fakeCommands, runScript, workDir } from "./run";

const work = workDir("ready-check");

interface Standby {
  /** What `cloud-init status` prints and its exit code; undefined: the image has no cloud-init. */
  cloudInit?: { status: string; code?: number };
  /** What the first-boot script left. */
  mark?: { done?: boolean; failed?: string };
  mounted?: boolean;
  mariadbAnswers?: boolean;
}

/** The gate on a standby described by `s`: cloud-init, mountpoint and sudo are fakes on PATH. */
async function gate(name: string, s: Standby) {
  const dir = join(work, name);
  const bootState = join(dir, "boot-state");
  mkdirSync(bootState, { recursive: true });
  if (s.mark?.done) writeFileSync(join(bootState, "boot-done"), "2025-01-01T00:00:00Z\n");
  if (s.mark?.failed !== undefined) writeFileSync(join(bootState, "boot-failed"), `${s.mark.failed}\n`);
  const fakes: Record<string, string> = {
    mountpoint: `exit ${s.mounted === false ? 1 : 0}`,
    sudo: `exit ${s.mariadbAnswers === false ? 1 : 0}`,
  };
  if (s.cloudInit) fakes["cloud-init"] = `echo 'status: ${s.cloudInit.status}'\nexit ${s.cloudInit.code ?? 0}`;
  const { path } = fakeCommands(join(dir, "fakes"), fakes);
  // Without a cloud-init fake, the PATH holds only what the gate needs besides it (the machine may have one).
  const env = { PRA_BOOT_STATE: bootState, PATH: s.cloudInit ? path : onlyTools(dir, path.split(":")[0]) };
  return runScript(READY_CHECK, [], { env });
}

function onlyTools(dir: string, fakeBin: string): string {
  const tools = join(dir, "tools");
  mkdirSync(tools, { recursive: true });
  for (const tool of ["bash", "head", "tr", "ls", "wc", "printf", "cat"]) {
    const real = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (real.startsWith("/")) symlinkSync(real, join(tools, tool));
  }
  return `${fakeBin}:${tools}`;
}

const done = { status: "done" };

describe("ready check (the gate the sync polls): PRA's own first boot decides, not any cloud-init module", () => {
  it("ready when cloud-init is done, the first boot finished, the volume is mounted and MariaDB answers", async () => {
    const r = await gate("ready", { cloudInit: done, mark: { done: true } });
    expect(r.stdout).toBe("PRA-READY\n");
    expect(r.code).toBe(0);
  });

  it("cloud-init's status: error (a module PRA does not need) is only a note when PRA's first boot finished", async () => {
    const r = await gate("module-error", { cloudInit: { status: "error", code: 1 }, mark: { done: true } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "PRA-READY\nPRA-NOTE cloud-init reports status: error for a module PRA's first boot does not depend on: see /var/log/cloud-init.log\n",
    );
  });

  it.each([
    ["running", "running"],
    ["not run (cloud-init 22.4)", "not run"],
    ["not started", "not started"],
  ])("waits while cloud-init is %s (exit 10)", async (_, status) => {
    const r = await gate(`wait-${status.replace(/ /g, "-")}`, { cloudInit: { status } });
    expect(r.stdout).toBe(`PRA-NOT-READY cloud-init has not finished (status: ${status})\n`);
    expect(r.code).toBe(10);
  });

  it("a failed first boot fails at once with its reason, even while cloud-init still runs", async () => {
    const reason = "volume 0f3c never appeared under /dev/disk/by-id; see /var/log/cloud-init-output.log";
    const r = await gate("boot-failed", { cloudInit: { status: "running" }, mark: { failed: reason } });
    expect(r.stdout).toBe(`PRA-FAILED the first boot (pra-data-volume) failed: ${reason}\n`);
    expect(r.code).toBe(11);
  });

  it("fails when cloud-init finished but the first boot left no result (it never ran, or died unreported)", async () => {
    const r = await gate("no-mark", { cloudInit: { status: "error", code: 1 } });
    expect(r.stdout).toBe(
      "PRA-FAILED cloud-init finished (status: error) but PRA's first boot (pra-data-volume) left no result: see /var/log/cloud-init-output.log\n",
    );
    expect(r.code).toBe(11);
  });

  it("names an image without cloud-init", async () => {
    const r = await gate("no-cloud-init", {});
    expect(r.stdout).toMatch(/^PRA-FAILED the image has no cloud-init, so the first boot never ran/);
    expect(r.code).toBe(11);
  });

  it("after the first boot, still waits for the volume's mount and for MariaDB", async () => {
    const unmounted = await gate("unmounted", { cloudInit: done, mark: { done: true }, mounted: false });
    expect(unmounted.stdout).toBe("PRA-NOT-READY the data volume is not mounted at /srv/pra\n");
    expect(unmounted.code).toBe(10);
    const noDb = await gate("no-db", { cloudInit: done, mark: { done: true }, mariadbAnswers: false });
    expect(noDb.stdout).toBe("PRA-NOT-READY MariaDB does not answer\n");
    expect(noDb.code).toBe(10);
  });
});
