import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ExitCode, OpsError } from "./exitCodes";

/** The Pulumi CLI version the project is tested with (also pinned in the workflows and scripts/up). */
export const PINNED_PULUMI_VERSION = "3.248.0";

export interface OpenOptions {
  stackName: string;
  workDir: string;
  /** Directory holding bin/pulumi; default: `pulumi` on the PATH, then ~/.pulumi (where scripts/up installs it). */
  pulumiRoot?: string;
  log: (line: string) => void;
}

/**
 * Finds an installed pulumi CLI. Never PulumiCommand.install(): it downloads from get.pulumi.com, which
 * unattended runs must not depend on (and cannot reach on our machines).
 */
async function findCli(root: string | undefined): Promise<PulumiCommand> {
  const roots = root ? [root] : [undefined, join(homedir(), ".pulumi")];
  let lastError: unknown;
  for (const r of roots) {
    if (r && !existsSync(join(r, "bin", "pulumi"))) continue;
    try {
      return await PulumiCommand.get({ root: r, skipVersionCheck: true });
    } catch (e) {
      lastError = e;
    }
  }
  throw new OpsError(
    ExitCode.Usage,
    `no pulumi CLI found (${root ? `${root}/bin/pulumi` : "PATH, ~/.pulumi/bin"}): install ${PINNED_PULUMI_VERSION} ` +
      `(curl -fsSL https://get.pulumi.com | sh -s -- --version ${PINNED_PULUMI_VERSION})` +
      (lastError ? ` [${errorText(lastError, 1)}]` : ""),
  );
}

/**
 * Selects an EXISTING stack of the project in workDir. selectStack rather than createOrSelectStack on
 * purpose: a mistyped --stack must not create an empty stack whose first `up` builds a second standby.
 */
export async function openStack(opts: OpenOptions): Promise<Stack> {
  if (!existsSync(join(opts.workDir, "Pulumi.yaml"))) {
    throw new OpsError(ExitCode.Usage, `${opts.workDir} holds no Pulumi.yaml: pass --work-dir <project directory>`);
  }
  const stackFile = join(opts.workDir, `Pulumi.${opts.stackName}.yaml`);
  if (!existsSync(stackFile)) {
    throw new OpsError(
      ExitCode.Usage,
      `no ${stackFile}: copy Pulumi.dev.yaml to it and run scripts/up ${opts.stackName} once`,
    );
  }
  const pulumiCommand = await findCli(opts.pulumiRoot);
  const version = pulumiCommand.version?.toString() ?? "unknown";
  if (version !== PINNED_PULUMI_VERSION) {
    opts.log(`warning: pulumi CLI ${version}, the project is tested with ${PINNED_PULUMI_VERSION}`);
  }
  try {
    return await LocalWorkspace.selectStack({ stackName: opts.stackName, workDir: opts.workDir }, { pulumiCommand });
  } catch (e) {
    if (e instanceof StackNotFoundError) {
      throw new OpsError(
        ExitCode.Usage,
        `no stack ${opts.stackName} in the backend: run scripts/up ${opts.stackName} first`,
      );
    }
    throw new OpsError(ExitCode.Usage, `cannot select stack ${opts.stackName}: ${errorText(e)}`);
  }
}

/**
 * The useful part of an error: for a failed pulumi command, the end of its stderr (the Automation API's
 * message also repeats the command line and all of stdout, which was streamed already). Pulumi masks
 * secret values in its output, so this is safe to print.
 */
export function errorText(e: unknown, maxLines = 12): string {
  const message = e instanceof Error ? e.message : String(e);
  // CommandError keeps execa's error (with the command's own stderr) in a field its typings hide.
  const execa = (e as { commandResult?: { err?: { stderr?: unknown } } } | undefined)?.commandResult?.err;
  const stderr =
    typeof execa?.stderr === "string" && execa.stderr.trim() !== ""
      ? execa.stderr
      : (/\n stderr: ([\s\S]*?)\n err\?: /.exec(message)?.[1] ?? message);
  const lines = stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "" && !l.startsWith("Command failed with exit code"));
  return lines.slice(-maxLines).join("\n") || message.trim();
}

const LOCKED = /^error: the stack is currently locked by \d+ lock\(s\)\./m;

/**
 * Whether a pulumi update was refused by the stack's lock (a file or S3 backend: another update of the
 * stack runs, from anywhere; such a backend shows no update "in progress" until it ends). The engine
 * refuses before running the program, so the refused update changed nothing. Returns who holds the
 * lock as the engine names it (`root@ci-runner (pid 4242) at 2026-…`), or undefined for any other error.
 */
export function lockRefusal(e: unknown): string | undefined {
  const text = errorText(e, 50);
  if (!LOCKED.test(text)) return undefined;
  const holders = [...text.matchAll(/: created by (.+)$/gm)].map((m) => m[1]);
  return holders.length > 0 ? holders.join("; ") : "holder not named";
}

/** What the operator does about a lock refusal: wait, and `pulumi cancel` only when no update runs any more. */
export function lockAdvice(stackName: string, holder: string): string {
  return (
    `stack ${stackName} is locked by another pulumi update (${holder}): wait for it to end, then run again. ` +
    `Only if no pulumi update of ${stackName} runs any more (it was killed): pulumi cancel --stack ${stackName}`
  );
}
