import { layout } from "../layout";
import type { SyncPlan } from "../plan";
import { run } from "./proc";

/** Checked on the standby, cheapest first; prints PRA-READY or the first thing that is not ready. */
export const READY_CHECK = `set -u
s=$(cloud-init status 2>/dev/null || true)
case "$s" in
  *running*|*"not started"*) echo "PRA-NOT-READY cloud-init has not finished ($s)"; exit 10 ;;
  *error*) echo "PRA-FAILED cloud-init failed ($s): see /var/log/cloud-init-output.log"; exit 11 ;;
esac
mountpoint -q ${layout.data} || { echo "PRA-NOT-READY the data volume is not mounted at ${layout.data}"; exit 10; }
sudo -n mariadb-admin ping >/dev/null 2>&1 || { echo "PRA-NOT-READY MariaDB does not answer"; exit 10; }
echo PRA-READY`;

const HOST_KEY_MISMATCH =
  /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|host key for .* has changed/i;

export interface ReadyOptions {
  intervalMs?: number;
  log?: (line: string) => void;
}

/**
 * Polls the standby until SSH answers with the pinned key, cloud-init is done, the volume is mounted
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
