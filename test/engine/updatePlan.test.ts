import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";
import { Marker } from "./marker";

// The drill's saved update plan (ops/drillPreview.ts: `preview --save-plan`, then a failover's
// `up --plan`) on the real engine: what the plan file holds and when `up --plan` refuses.
const tc = toolchain();
const unavailable = missing(tc, "cli");
if (unavailable) console.warn(`engine update plan tests skipped: ${unavailable}`);

describe.skipIf(unavailable)("saved update plans on the real engine", () => {
  const dir = mkdtempSync(join(tmpdir(), "pra-plan-"));
  const secret = `secret-${process.pid}-${Date.now()}`;
  let value = "1";
  let e: EngineStack;

  beforeAll(async () => {
    e = await engineStack(tc, "pra-engine-plan", async () => {
      new Marker("mode", dir, value);
      new Marker("key", dir, pulumi.secret(secret));
      return {};
    });
    await e.stack.up({ onOutput: e.onOutput });
  }, 300_000);
  afterAll(async () => {
    await e?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the plan file keeps secret inputs encrypted", async () => {
    value = "2";
    const plan = join(dir, "plan.json");
    await e.stack.preview({ plan, onOutput: e.onOutput });
    const text = readFileSync(plan, "utf8");
    expect(text).toContain("ciphertext");
    expect(text).not.toContain(secret);
    expect(text).not.toContain(e.passphrase);
  }, 300_000);

  it("up --plan applies the planned change", async () => {
    const up = await e.stack.up({ plan: join(dir, "plan.json"), onOutput: e.onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(readFileSync(join(dir, "mode"), "utf8")).toBe("2");
  }, 300_000);

  it("up --plan refuses a program that wants other changes than the plan's", async () => {
    value = "3";
    const plan = join(dir, "plan-3.json");
    await e.stack.preview({ plan, onOutput: e.onOutput });
    value = "4";
    await expect(e.stack.up({ plan, onOutput: e.onOutput })).rejects.toThrow(/mode violates plan: properties changed/);
    expect(readFileSync(join(dir, "mode"), "utf8")).toBe("2");
  }, 300_000);

  // Not what ops/drillPreview.ts's advice suggests ("the plan is stale after the next up"): the engine
  // checks the goals the program registers against the plan's, not the state the plan was made from.
  it("a plan saved before another up still applies after it when the program wants the planned goal", async () => {
    value = "5";
    const plan = join(dir, "plan-5.json");
    await e.stack.preview({ plan, onOutput: e.onOutput });
    value = "6";
    await e.stack.up({ onOutput: e.onOutput });
    value = "5";
    const up = await e.stack.up({ plan, onOutput: e.onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(readFileSync(join(dir, "mode"), "utf8")).toBe("5");
  }, 300_000);
});
