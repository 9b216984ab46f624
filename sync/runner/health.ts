import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HealthCheck, SyncPlan } from "../plan";
import { run } from "./proc";

/**
 * The failover is done only when WordPress answers for the blog's real host name on the floating IP,
 * from outside, with the newest post (curl --resolve: no need to wait for DNS). An https site is asked
 * on 443 and its certificate verified, for that name, against the CA that issued it (never -k).
 */
export async function checkHealth(plan: SyncPlan, health: HealthCheck, intervalMs = 3000): Promise<void> {
  if (!health.caPem)
    return poll(plan, health, intervalMs, [
      "--resolve",
      `${health.siteHostname}:80:${plan.standby.host}`,
      `http://${health.siteHostname}/`,
    ]);
  const dir = mkdtempSync(join(tmpdir(), "pra-health-"));
  try {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, health.caPem);
    await poll(plan, health, intervalMs, [
      "--cacert",
      ca,
      "--resolve",
      `${health.siteHostname}:443:${plan.standby.host}`,
      `https://${health.siteHostname}/`,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function poll(plan: SyncPlan, health: HealthCheck, intervalMs: number, request: string[]): Promise<void> {
  const started = Date.now();
  const host = health.siteHostname;
  const address = plan.standby.host;
  const url = request[request.length - 1];
  const postMark = new RegExp(`post-${health.newestPostId}([^0-9]|$)`);
  let last = "no answer";
  for (;;) {
    const r = await run(["curl", "-sS", "--max-time", "20", "-w", "\\n%{http_code}", ...request], {
      timeoutMs: 30_000,
    });
    const code = r.stdout.slice(r.stdout.lastIndexOf("\n") + 1).trim();
    if (r.code === 0 && code === "200" && postMark.test(r.stdout)) {
      const seconds = Math.round((Date.now() - started) / 1000);
      console.log(
        `pra-health: WordPress answers for ${host} on ${address} with the newest post #${health.newestPostId} (${url}, after ${seconds} s)`,
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
      throw new Error(`pra-health: ${url} on ${address} is not serving after ${health.timeoutSeconds} s: ${last}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
