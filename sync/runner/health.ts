import type { HealthCheck, SyncPlan } from "../plan";
import { run } from "./proc";

/**
 * The failover is done only when WordPress answers for the blog's real host name on the floating IP,
 * from outside, with the newest post (curl --resolve: no need to wait for DNS).
 */
export async function checkHealth(plan: SyncPlan, health: HealthCheck, intervalMs = 3000): Promise<void> {
  const started = Date.now();
  const host = health.siteHostname;
  const address = plan.standby.host;
  const postMark = new RegExp(`post-${health.newestPostId}([^0-9]|$)`);
  let last = "no answer";
  for (;;) {
    const r = await run(
      [
        "curl",
        "-sS",
        "--max-time",
        "20",
        "-w",
        "\\n%{http_code}",
        "--resolve",
        `${host}:80:${address}`,
        `http://${host}/`,
      ],
      { timeoutMs: 30_000 },
    );
    const code = r.stdout.slice(r.stdout.lastIndexOf("\n") + 1).trim();
    if (r.code === 0 && code === "200" && postMark.test(r.stdout)) {
      const seconds = Math.round((Date.now() - started) / 1000);
      console.log(
        `pra-health: WordPress answers for ${host} on ${address} with the newest post #${health.newestPostId} (after ${seconds} s)`,
      );
      return;
    }
    last =
      r.code !== 0
        ? `curl: ${r.stderr.trim()}`
        : code !== "200"
          ? `HTTP ${code}`
          : `no post #${health.newestPostId} on the home page`;
    if (Date.now() - started > health.timeoutSeconds * 1000) {
      throw new Error(`pra-health: ${host} on ${address} is not serving after ${health.timeoutSeconds} s: ${last}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
