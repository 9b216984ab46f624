import { spawn } from "node:child_process";
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

function runCommand(command: string, alert: Alert, deps: AlertDeps): Promise<void> {
  return new Promise((resolve) => {
    // Its own process group, so a timeout kills what the command started too (a child holding our
    // pipes open would otherwise keep the job waiting).
    const child = spawn("/bin/sh", ["-c", command], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, PRA_ALERT_SUBJECT: alert.subject },
      detached: true,
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, deps.timeoutMs);
    let done = false;
    const finish = (message: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      deps.log(message);
      resolve();
    };
    const ended = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(
        code === 0
          ? "alert command run"
          : `alert command failed (${signal ?? `exit ${code}`}): ${output.trim().split("\n").slice(-3).join(" | ")}`,
      );
    child.on("error", (e) => finish(`alert command could not start: ${e.message}`));
    child.on("close", ended);
    // 'close' waits for the pipes, which a leftover grandchild may hold: after 'exit', wait a moment only.
    child.on("exit", (code, signal) => setTimeout(() => ended(code, signal), 200).unref());
    child.stdin.on("error", () => {}); // a command that does not read stdin must not crash the job
    child.stdin.end(`${alert.text}\n`);
  });
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
