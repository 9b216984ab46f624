import { describe, expect, it } from "vitest";
import { startBackground } from "../../sync/runner/proc";
import { eventually, groupMembers, isRunning } from "./procfs";

describe("startBackground", () => {
  it("runs until stopped; stop ends the whole group", async () => {
    const lines: string[] = [];
    const bg = startBackground(["sh", "-c", "sleep 300 & echo $!; wait"], { onStdout: (c) => lines.push(c) });
    await eventually(() => lines.join("").includes("\n"), "the grandchild's pid");
    const grandchild = Number(lines.join("").trim());
    expect(bg.running).toBe(true);
    const r = await bg.stop();
    expect(r.signal).toBe("SIGTERM");
    expect(bg.running).toBe(false);
    await eventually(() => !isRunning(grandchild), "the grandchild to be gone");
    expect(groupMembers(bg.pid as number)).toEqual([]);
  });

  it("signal() reaches the command only, so that it can handle it itself", async () => {
    const lines: string[] = [];
    const script = "trap 'echo handled; exit 7' USR1; sleep 300 & echo $!; wait";
    const bg = startBackground(["sh", "-c", script], { onStdout: (c) => lines.push(c), pipeGraceMs: 100 });
    await eventually(() => lines.join("").includes("\n"), "the grandchild's pid");
    const grandchild = Number(lines.join("").trim());
    bg.signal("SIGUSR1");
    const r = await bg.exited;
    expect(r).toMatchObject({ code: 7, signal: null });
    expect(r.stdout).toContain("handled");
    expect(isRunning(grandchild)).toBe(true);
    await bg.stop(); // the rest of the group
    await eventually(() => !isRunning(grandchild), "the grandchild to be gone");
  });

  it("reports a command that cannot be started through exited", async () => {
    const bg = startBackground(["/nonexistent/pra-daemon"]);
    await expect(bg.exited).rejects.toThrow(/ENOENT/);
    expect(bg.running).toBe(false);
  });
});
