import { run } from "../sync/runner/proc";
import type { OpsDeps } from "./deps";
import type { OpsSettings } from "./settings";

export interface AlertTarget {
  /** pra:alertCommand: run with `sh -c`, the message on stdin (never on argv: it may name hosts). */
  command?: string;
  /** pra:alertUrl: gets a POST of the alert as JSON. Never printed: webhook URLs carry tokens. */
  url?: string;
}

export interface Alert {
  /** One line, e.g. the job's summary line. */
  subject: string;
  /** The full message: subject, reason, what to do. */
  text: string;
  /** Machine-readable details for the URL hook. */
  details: Record<string, unknown>;
}

export interface AlertDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  log: (line: string) => void;
}

async function runCommand(command: string, alert: Alert, deps: AlertDeps): Promise<void> {
  let output = "";
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-2000);
  };
  try {
    const r = await run(["/bin/sh", "-c", command], {
      input: `${alert.text}\n`,
      env: { ...process.env, PRA_ALERT_SUBJECT: alert.subject },
      timeoutMs: deps.timeoutMs,
      // The timeout is the hook's whole budget: the job is ending and must not wait on a stuck hook.
      killGraceMs: 0,
      pipeGraceMs: 200,
      onStdout: keep,
      onStderr: keep,
    });
    deps.log(
      r.code === 0 && !r.timedOut
        ? "alert command run"
        : `alert command failed (${r.signal ?? `exit ${r.code}`}): ${output.trim().split("\n").slice(-3).join(" | ")}`,
    );
  } catch (e) {
    deps.log(`alert command could not start: ${(e as Error).message}`);
  }
}

async function post(url: string, alert: Alert, deps: AlertDeps): Promise<void> {
  try {
    // `text` makes the body usable as-is by Slack/Mattermost-style incoming webhooks.
    const response = await deps.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: alert.text, subject: alert.subject, ...alert.details }),
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    deps.log(
      response.ok ? "alert posted to pra:alertUrl" : `alert POST to pra:alertUrl failed: HTTP ${response.status}`,
    );
  } catch (e) {
    deps.log(`alert POST to pra:alertUrl failed: ${(e as Error).message}`);
  }
}

/** Sends the alert to every configured hook. A failing hook is reported, never fatal: the exit code still tells. */
export async function sendAlert(target: AlertTarget, alert: Alert, deps: AlertDeps): Promise<void> {
  if (!target.command && !target.url) {
    deps.log("no alert hook configured (pra:alertCommand / pra:alertUrl): only the exit code tells");
    return;
  }
  await Promise.all([
    target.command ? runCommand(target.command, alert, deps) : undefined,
    target.url ? post(target.url, alert, deps) : undefined,
  ]);
}

/** Sends to the stack's hooks (pra:alertCommand, pra:alertUrl) with the job's fetch and timeout. */
export function alertOperator(settings: OpsSettings, alert: Alert, deps: OpsDeps, log: (line: string) => void) {
  return sendAlert({ command: settings.alertCommand, url: settings.alertUrl }, alert, {
    fetch: deps.fetch,
    timeoutMs: deps.alertTimeoutMs,
    log,
  });
}
