import { layout } from "../layout";
import type { SyncPlan } from "../plan";
import { renderScript } from "../scripts";
import { installedLine } from "../standby/install";
import { run } from "./proc";

/** sync/scripts/standby/ready-check.sh: prints PRA-READY or the first thing that is not ready. */
export const READY_CHECK = renderScript("standby/ready-check", {
  DATA_MOUNT: layout.data,
  BOOT_STATE: layout.bootState,
});

const HOST_KEY_MISMATCH =
  /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|host key for .* has changed/i;

export interface ReadyOptions {
  intervalMs?: number;
  log?: (line: string) => void;
}

/**
 * Polls the standby until SSH answers with the pinned key, cloud-init is done and PRA's first boot
 * finished (a failed first boot fails at once, with its reason), the volume is mounted
 * and MariaDB answers. A wrong host key fails at once (it will not fix itself); anything else is
 * retried until the deadline, then named in the error.
 */
export async function waitForStandby(plan: SyncPlan, standbySsh: string[], opts: ReadyOptions = {}): Promise<void> {
  const started = Date.now();
  const deadline = started + plan.readyTimeoutSeconds * 1000;
  const log = opts.log ?? ((l: string) => console.log(l));
  let last = "SSH never answered";
  for (let attempt = 1; ; attempt++) {
    const r = await run([...standbySsh, READY_CHECK], { timeoutMs: 60_000 });
    if (r.code === 0 && r.stdout.includes("PRA-READY")) {
      log(`pra-ready: standby ${plan.standby.host} ready after ${Math.round((Date.now() - started) / 1000)} s`);
      // e.g. cloud-init's own error in a module PRA does not depend on: worth reading, not failing for
      const note = /^PRA-NOTE (.*)$/m.exec(r.stdout)?.[1];
      if (note) log(`pra-ready: note: ${note}`);
      // The install step reads these from our output: scripts already there need not travel again.
      for (const m of r.stdout.matchAll(/^PRA-INSTALLED ([0-9a-f]{64}) (\S+)$/gm)) log(installedLine(m[1], m[2]));
      return;
    }
    if (HOST_KEY_MISMATCH.test(r.stderr)) {
      throw new Error(
        `pra-ready: ${plan.standby.host} presents a host key that is not the pinned one (${plan.standby.hostKeyAlias}); ` +
          "refusing to connect. If the standby was rebuilt outside Pulumi, check `pulumi stack output knownHosts`.",
      );
    }
    const said = /PRA-(NOT-READY|FAILED) (.*)/.exec(r.stdout);
    if (said?.[1] === "FAILED") throw new Error(`pra-ready: ${said[2]}`);
    last = said ? said[2] : `SSH: ${r.stderr.trim().split("\n").pop() || `exit ${r.code}`}`;
    if (Date.now() >= deadline) {
      throw new Error(`pra-ready: the standby was not ready after ${plan.readyTimeoutSeconds} s: ${last}`);
    }
    if (attempt === 1 || attempt % 6 === 0) log(`pra-ready: waiting (${last})`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 5000));
  }
}
