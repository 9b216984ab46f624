import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ExitCode } from "../../ops/exitCodes";
import { type FailbackData, runFailback } from "../../ops/failbackJob";
import type { StepInput } from "../../sync/plan";
import { PrimaryUnreachable } from "../../sync/runner/failback";
import {
  baseConfig,
  type FakeBehaviour,
  type Fixture,
  type HistoryEntry,
  historyEntry,
  makeFixture,
  testDeps,
} from "./fixture";

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const fx of fixtures.splice(0)) fx.dispose();
});

const standbyOutputs = {
  mode: "active",
  floatingIp: "203.0.113.10",
  knownHosts: "pra-standby,203.0.113.10 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIStandbyKey",
  hostKeyAlias: "pra-standby",
  sshUser: "pra",
  syncPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nSYNCKEY\n-----END OPENSSH PRIVATE KEY-----\n",
};

function setup(active: boolean, behaviour: FakeBehaviour = {}, history?: HistoryEntry[]): Fixture {
  const fx = makeFixture({
    config: { ...baseConfig, "pra:praActive": active },
    outputs: standbyOutputs,
    behaviour,
    ...(history ? { history } : {}),
  });
  fx.patchState({ secretOutputs: ["syncPrivateKey"] });
  fixtures.push(fx);
  return fx;
}

const args = (fx: Fixture) => ["--stack", "dev", "--work-dir", fx.workDir];
const praActive = (fx: Fixture) =>
  String((parse(readFileSync(fx.stackFile, "utf8")).config as Record<string, unknown>)["pra:praActive"]);

describe.concurrent("failback orchestration", () => {
  it("refuses when not failed over: no data moved, no up", async () => {
    const fx = setup(false);
    let called = false;
    const deps = testDeps(fx, async () => ({ fileDigest: "", tables: {} }));
    const code = await runFailback(args(fx), deps, async () => {
      called = true;
      return [];
    });
    expect(code).toBe(ExitCode.Usage);
    expect(called).toBe(false);
    expect(fx.ups()).toEqual([]);
    expect(deps.output()).toMatch(/not failed over, nothing to fail back/);
  });

  it("copies the data back first, then sets praActive=false and runs up", async () => {
    const fx = setup(true);
    let seen: StepInput | undefined;
    let activeDuringCopy = "";
    const data: FailbackData = async (input, kit) => {
      seen = input;
      activeDuringCopy = praActive(fx);
      expect(kit.standbySsh).toContain("StrictHostKeyChecking=yes");
      return ["since\t2026-11-25 01:00:00"];
    };
    const deps = testDeps(fx, async () => ({ fileDigest: "", tables: {} }));
    const code = await runFailback(args(fx), deps, data);
    expect(deps.output()).toMatch(/ok: the primary serves again/);
    expect(code).toBe(ExitCode.Ok);
    expect(activeDuringCopy).toBe("true");
    expect(seen?.plan.standby).toEqual({
      host: "203.0.113.10",
      port: 22,
      user: "pra",
      hostPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIStandbyKey",
      hostKeyAlias: "pra-standby",
    });
    expect(seen?.secrets.standbyPrivateKey).toContain("SYNCKEY");
    expect(praActive(fx)).toBe("false");
    expect(fx.ups()).toEqual([{ praActive: "false", syncRun: "", drillRun: "" }]);
    // The key came from the secret output and went nowhere else.
    expect(JSON.stringify(fx.commands())).not.toContain("SYNCKEY");
    expect(deps.output()).not.toContain("SYNCKEY");
  });

  it("after a failover from another machine (this stack file still says false, the last update ran with true): fails back", async () => {
    const fx = setup(false, {}, [historyEntry({ praActive: true })]);
    let activeDuringCopy = "";
    const deps = testDeps(fx, async () => ({ fileDigest: "", tables: {} }));
    const code = await runFailback(args(fx), deps, async () => {
      activeDuringCopy = praActive(fx);
      return [];
    });
    expect(code).toBe(ExitCode.Ok);
    // Set here before anything moved: an up from this checkout would otherwise remove the serving standby.
    expect(activeDuringCopy).toBe("true");
    expect(deps.output()).toMatch(/ran with praActive=true \(a failover from another machine\)/);
    expect(fx.ups()).toEqual([{ praActive: "false", syncRun: "", drillRun: "" }]);
    expect(praActive(fx)).toBe("false");
  });

  it("refuses while the primary does not answer: exit 6, still failed over, no up", async () => {
    const fx = setup(true);
    const deps = testDeps(fx, async () => ({ fileDigest: "", tables: {} }));
    const code = await runFailback(args(fx), deps, async () => {
      throw new PrimaryUnreachable("pra-failback: the primary does not answer (timeout): staying failed over");
    });
    expect(code).toBe(ExitCode.PrimaryUnreachable);
    expect(praActive(fx)).toBe("true");
    expect(fx.ups()).toEqual([]);
    // npm run status shows how the last failback ended
    expect(JSON.parse(readFileSync(join(fx.workDir, ".pra/failback.json"), "utf8"))).toMatchObject({
      stack: "dev",
      exitCode: 6,
      result: "primary unreachable, nothing booted",
    });
  });

  it("the up that removes the standby refused by the stack's pulumi lock: exit 4, praActive back to true, the standby serves", async () => {
    const fx = setup(true, { upsBeforeLock: 0 });
    let copies = 0;
    const deps = testDeps(fx, async () => ({ fileDigest: "", tables: {} }));
    const code = await runFailback(args(fx), deps, async () => {
      copies++;
      return [];
    });
    expect(code).toBe(ExitCode.Locked);
    expect(copies).toBe(1);
    expect(fx.ups()).toEqual([{ praActive: "false", syncRun: "", drillRun: "" }]);
    expect(praActive(fx)).toBe("true");
    expect(deps.output()).toMatch(
      /FAILED exit=4 .*the up that removes the standby was refused; nothing changed, the standby keeps serving and praActive stays true: stack dev is locked by another pulumi update \(ops@ci-runner \(pid 4242\)/,
    );
    expect(deps.output()).toContain("pulumi cancel --stack dev");
  });

  it("a failed copy keeps the standby serving: exit 1, praActive stays true, no up", async () => {
    const fx = setup(true);
    const deps = testDeps(fx, async () => ({ fileDigest: "", tables: {} }));
    const code = await runFailback(args(fx), deps, async () => {
      throw new Error("pra-failback: the copied database differs from the standby's");
    });
    expect(code).toBe(ExitCode.Failed);
    expect(deps.output()).toMatch(/the standby keeps serving, praActive stays true/);
    expect(praActive(fx)).toBe("true");
    expect(fx.ups()).toEqual([]);
  });
});
