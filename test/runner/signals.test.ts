import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startBackground } from "../../sync/runner/proc";
import { eventually, isRunning, killQuietly } from "./procfs";

const dir = mkdtempSync(join(tmpdir(), "pra-signals-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stopChildrenOnSignals", () => {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    it(`on ${signal}, stops the commands in flight, cleans up, and exits 128 + the signal's number`, async () => {
      const cleaned = join(dir, signal);
      let out = "";
      const fixture = startBackground(
        [process.execPath, "--import", "tsx", join(__dirname, "signal-fixture.ts"), cleaned],
        { cwd: resolve(__dirname, "../.."), onStdout: (chunk) => (out += chunk) },
      );
      await eventually(() => out.includes("\n"), "the command's grandchild to start");
      const grandchild = Number(out.trim());
      try {
        fixture.signal(signal);
        const r = await fixture.exited;
        expect(r.code).toBe({ SIGTERM: 143, SIGINT: 130, SIGHUP: 129 }[signal]);
        await eventually(() => !isRunning(grandchild), "the grandchild to be gone");
        expect(readFileSync(cleaned, "utf8")).toBe("cleaned\n");
      } finally {
        killQuietly(grandchild);
        await fixture.stop();
      }
    });
  }
});
