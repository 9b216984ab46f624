import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandError, run, runChecked } from "../../sync/runner/proc";
import { eventually, groupMembers, isRunning, killQuietly } from "./procfs";

const dir = mkdtempSync(join(tmpdir(), "pra-proc-test-"));
const leftovers: number[] = [];
afterAll(() => {
  for (const pid of leftovers) killQuietly(pid);
  rmSync(dir, { recursive: true, force: true });
});

describe("run", () => {
  it("reports exit codes and the signal that ended a command", async () => {
    expect(await run(["sh", "-c", "echo out; echo err >&2; exit 3"])).toMatchObject({
      code: 3,
      signal: null,
      stdout: "out\n",
      stderr: "err\n",
      timedOut: false,
      aborted: false,
    });
    expect(await run(["sh", "-c", "kill -USR1 $$"])).toMatchObject({ code: 128 + 10, signal: "SIGUSR1" });
  });

  it("passes input, bytes as they are, on stdin; without input stdin is empty", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10]);
    expect((await run(["wc", "-c"], { input: bytes })).stdout.trim()).toBe("5");
    expect((await run(["od", "-An", "-tu1"], { input: bytes })).stdout.trim().split(/\s+/)).toEqual([
      "0",
      "1",
      "2",
      "255",
      "10",
    ]);
    expect((await run(["wc", "-c"])).stdout.trim()).toBe("0");
  });

  it("runs argv without a shell, with env and cwd, in a process group of its own", async () => {
    const r = await run(["sh", "-c", 'echo "$$ $(ps -o pgid= -p $$) $PRA_X $(pwd)"; echo "$1"', "sh", "a;b $HOME"], {
      env: { PATH: process.env.PATH, PRA_X: "x" },
      cwd: dir,
    });
    const [self, group, x, cwd] = r.stdout.split("\n")[0].trim().split(/\s+/);
    expect(group).toBe(self);
    expect(Number(group)).not.toBe(process.pid);
    expect(x).toBe("x");
    expect(cwd).toBe(dir);
    expect(r.stdout.split("\n")[1]).toBe("a;b $HOME");
  });

  it("hands each chunk of output to the callbacks as it comes", async () => {
    const out: string[] = [];
    const err: string[] = [];
    await run(["sh", "-c", "echo one; echo two >&2"], { onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) });
    expect(out.join("")).toBe("one\n");
    expect(err.join("")).toBe("two\n");
  });

  it("rejects when the command cannot be started", async () => {
    await expect(run(["/nonexistent/pra-command"])).rejects.toThrow(/ENOENT/);
  });

  it("on timeout sends SIGTERM first, and SIGKILL after the grace to a command that ignores it", async () => {
    // The trap reports SIGTERM on stderr and carries on; only SIGKILL ends it.
    const script = "trap 'echo got TERM >&2' TERM; echo $$; while :; do sleep 0.05; done";
    const r = await run(["sh", "-c", script], { timeoutMs: 300, killGraceMs: 1500 });
    expect(r).toMatchObject({ timedOut: true, signal: "SIGKILL", code: 137 });
    expect(r.stderr).toContain("got TERM");
    const pgid = Number(r.stdout.trim());
    await eventually(() => groupMembers(pgid).length === 0, "the whole group to be gone");
  });

  it("a process left holding the pipes does not keep the call waiting", async () => {
    const r = await run(["sh", "-c", "sleep 300 & echo $!"], { pipeGraceMs: 100 });
    const grandchild = Number(r.stdout.trim());
    leftovers.push(grandchild);
    expect(r.code).toBe(0);
    // Not stopped: a command may start a daemon on purpose.
    expect(isRunning(grandchild)).toBe(true);
  });

  it("on timeout the group dies with the command, also a grandchild that ignores SIGTERM and holds the pipes", async () => {
    const script = "sleep 300 & echo $!; (trap '' TERM; exec sleep 300) & echo $!; wait";
    const r = await run(["sh", "-c", script], { timeoutMs: 300, killGraceMs: 500, pipeGraceMs: 100 });
    const pids = r.stdout.trim().split("\n").map(Number);
    leftovers.push(...pids);
    expect(r.timedOut).toBe(true);
    expect(pids).toHaveLength(2);
    await eventually(() => !pids.some(isRunning), "both grandchildren to be gone");
  });

  it("an AbortSignal stops the group, like a timeout", async () => {
    const controller = new AbortController();
    const running = run(["sh", "-c", "sleep 300 & echo $!; wait"], {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    const r = await running;
    expect(r).toMatchObject({ aborted: true, timedOut: false, signal: "SIGTERM" });
    const grandchild = Number(r.stdout.trim());
    leftovers.push(grandchild);
    await eventually(() => !isRunning(grandchild), "the grandchild to be gone");
  });
});

describe("run with ioDir (stdio as regular files)", () => {
  it("makes /dev/stdin and /dev/stderr work in scripts", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10]);
    const script = "wc -c < /dev/stdin; echo oops > /dev/stderr; exit 4";
    const r = await run(["bash", "-c", script], { input: bytes, ioDir: dir });
    expect(r).toMatchObject({ code: 4, stdout: "5\n", stderr: "oops\n" });
  });

  it("does not wait for a daemon that inherited stdout, and leaves no files behind", async () => {
    const r = await run(["sh", "-c", "sleep 300 & echo $!"], { ioDir: dir });
    const daemon = Number(r.stdout.trim());
    leftovers.push(daemon);
    expect(isRunning(daemon)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("stops the group on timeout", async () => {
    const r = await run(["sh", "-c", "sleep 300 & echo $!; wait"], { ioDir: dir, timeoutMs: 300 });
    const grandchild = Number(r.stdout.trim());
    leftovers.push(grandchild);
    expect(r.timedOut).toBe(true);
    await eventually(() => !isRunning(grandchild), "the grandchild to be gone");
  });
});

describe("runChecked", () => {
  it("throws a CommandError naming the command, with the tail of stderr", async () => {
    const failing = runChecked(["sh", "-c", "echo boom >&2; exit 3"], { label: "[primary] boom maker" });
    await expect(failing).rejects.toThrow(CommandError);
    await expect(failing).rejects.toThrow(/^\[primary\] boom maker: exit code 3\nboom/);
    expect((await runChecked(["sh", "-c", "exit 3"], { allowFail: true })).code).toBe(3);
  });

  it("throws on timeout even when failing is allowed", async () => {
    await expect(runChecked(["sleep", "30"], { timeoutMs: 200, allowFail: true })).rejects.toThrow(
      /^sleep 30: timed out after 200 ms/,
    );
  });
});
