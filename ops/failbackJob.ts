import type { OutputMap } from "@pulumi/pulumi/automation";
import { parseSyncConfig } from "../config";
import { publicKeyBody } from "../sync/knownHosts";
import type { StepInput } from "../sync/plan";
import { PrimaryUnreachable } from "../sync/runner/failback";
import { type SshKit, sshKit } from "../sync/runner/keys";
import { failbackUsage, parseFailbackArgs } from "./args";
import type { OpsDeps } from "./deps";
import { ExitCode, exitCodeMeaning, OpsError } from "./exitCodes";
import { fingerprintOptions } from "./fingerprintOptions";
import { startJob } from "./jobStart";
import { openSession, type Session } from "./session";
import { Interruption } from "./signals";
import { errorText } from "./workspace";

const PREFIX = "pra failback";

/** The data path of the failback (sync/failback), injectable so the orchestration is testable without hosts. */
export type FailbackData = (input: StepInput, kit: SshKit, log: (line: string) => void) => Promise<string[]>;

/** What the data path needs, from the stack's outputs (the standby) and config (the primary). */
export function failbackInput(s: Session, outputs: OutputMap, now: Date): StepInput {
  const value = (key: string) => {
    const v = outputs[key]?.value;
    if (typeof v !== "string" || v === "") {
      throw new OpsError(
        ExitCode.Usage,
        `stack ${s.stackName} has no ${key} output: run pulumi up once before a failback`,
      );
    }
    return v;
  };
  const known = value("knownHosts").trim().split(/\s+/);
  const sync = parseSyncConfig(s.get);
  const fp = fingerprintOptions(s.get);
  return {
    plan: {
      run: `failback-${now.toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z")}`,
      standby: {
        host: value("floatingIp"),
        port: 22,
        user: value("sshUser"),
        hostPublicKey: publicKeyBody(known.slice(1).join(" ")),
        hostKeyAlias: value("hostKeyAlias"),
      },
      source: fp.source,
      webRoot: sync.webRoot,
      apacheSiteConfig: sync.apacheSiteConfig,
      dbSocket: sync.primaryDbSocket,
      readyTimeoutSeconds: sync.readyTimeoutMinutes * 60,
      ioTimeoutSeconds: 300,
    },
    secrets: { standbyPrivateKey: value("syncPrivateKey"), primaryPrivateKey: fp.primaryPrivateKey },
  };
}

/**
 * Failback: only while failed over; the data comes back to the primary first (verified), and only
 * then does praActive go to false and `up` remove the standby. Returns the exit code; never throws.
 */
export async function runFailback(argv: string[], deps: OpsDeps, data: FailbackData): Promise<number> {
  const started = startJob(PREFIX, argv, deps, parseFailbackArgs, failbackUsage, (a) => `failback of stack ${a.stack}`);
  if ("code" in started) return started.code;
  const { args, lock, log } = started;
  const interruption = new Interruption(deps.signals, log);
  interruption.install();
  let code: number = ExitCode.Ok;
  try {
    const s = await openSession({
      job: "failback",
      stackName: args.stack,
      workDir: args.workDir,
      log,
      interruption,
      deps,
    });
    if (!s.settings.praActive) {
      throw new OpsError(
        ExitCode.Usage,
        `pra:praActive is not true on stack ${args.stack}: not failed over, nothing to fail back`,
      );
    }
    const input = failbackInput(s, await s.stack.outputs(), deps.now());
    const kit = sshKit(input);
    try {
      await data(input, kit, log);
    } catch (e) {
      if (e instanceof PrimaryUnreachable) throw new OpsError(ExitCode.PrimaryUnreachable, e.message);
      throw new OpsError(ExitCode.Failed, `${errorText(e)}; the standby keeps serving, praActive stays true`);
    } finally {
      kit.dispose();
    }
    log("the primary holds the data: setting praActive to false and removing the standby");
    await s.stack.setConfig("pra:praActive", { value: "false" });
    try {
      await s.stack.up({ onOutput: s.engine.onOutput, onError: s.engine.onError });
    } catch (e) {
      throw new OpsError(
        ExitCode.TeardownFailed,
        `the data is back on the primary, but the up that removes the standby failed: ${errorText(e)}. ` +
          `Fix: pulumi up --stack ${args.stack}`,
      );
    }
    log("ok: the primary serves again; the standby is back to a cold copy (the next nightly sync refreshes it)");
  } catch (e) {
    code = e instanceof OpsError ? e.code : ExitCode.Failed;
    log(
      `FAILED exit=${code} (${exitCodeMeaning[code as ExitCode] ?? "failed"}): ${e instanceof OpsError ? e.message : errorText(e)}`,
    );
  } finally {
    interruption.dispose();
    lock.release();
  }
  return code;
}
