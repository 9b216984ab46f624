import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode, exitCodeMeaning } from "../../ops/exitCodes";
import { Interruption } from "../../ops/signals";
import { projectRoot } from "./fixture";

describe("exit codes", () => {
  it("are distinct, small, and each has a meaning", () => {
    const codes = Object.values(ExitCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toBeGreaterThanOrEqual(0);
      expect(code).toBeLessThan(64); // clear of shells' 126+ and signals' 128+n
      expect(exitCodeMeaning[code]).toMatch(/\w/);
    }
    expect(ExitCode).toMatchObject({ Ok: 0, Failed: 1, Usage: 2, RefusedActive: 3, Locked: 4, TeardownFailed: 5 });
  });

  it("each has a row in the runbook's and the README's exit-code tables", () => {
    for (const doc of ["docs/RUNBOOK.md", "README.md"]) {
      const rows = readFileSync(join(projectRoot, doc), "utf8")
        .split("\n")
        .flatMap((l) => /^\| (\d+) +\|/.exec(l)?.[1] ?? []);
      expect(new Set(rows.map(Number)), doc).toEqual(new Set(Object.values(ExitCode)));
    }
  });
});

describe("interruption", () => {
  it("SIGTERM aborts the running operation; SIGINT does not (pulumi got the Ctrl-C itself)", () => {
    const bus = new EventEmitter();
    const said: string[] = [];
    const term = new Interruption(bus, (l) => said.push(l));
    term.install();
    bus.emit("SIGTERM");
    expect(term.abortSignal.aborted).toBe(true);
    expect(term.signal).toBe("SIGTERM");
    term.dispose();
    expect(bus.listenerCount("SIGTERM")).toBe(0);

    const int = new Interruption(bus, (l) => said.push(l));
    int.install();
    bus.emit("SIGINT");
    expect(int.abortSignal.aborted).toBe(false);
    expect(int.signal).toBe("SIGINT");
    int.dispose();
  });

  it("a signal during the teardown is only reported", async () => {
    const bus = new EventEmitter();
    const said: string[] = [];
    const i = new Interruption(bus, (l) => said.push(l));
    i.install();
    i.enterTeardown();
    bus.emit("SIGTERM");
    expect(i.abortSignal.aborted).toBe(false);
    expect(i.signal).toBeUndefined();
    expect(said[0]).toMatch(/during the teardown: finishing it first/);
    i.leaveTeardown();
    const woken = i.whenSignalled();
    bus.emit("SIGHUP");
    expect(await woken).toBe("SIGHUP");
    i.dispose();
  });
});
