import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { ConfigError, parseSyncConfig, projectDefaults, type RawConfig, requirePrimaryKey } from "../config";
import { primarySide } from "../sync/plan";
import type { PrimaryCheck, PrimaryCheckOptions } from "../sync/runner/primaryCheck";
import { run } from "../sync/runner/proc";
import { type CheckArgs, doctorUsage, parseCheckArgs } from "./checkArgs";
import { CLOUD_CHECK_FIX } from "./cloudCheck";
import {
  type Check,
  credentialsPresent,
  notChecked,
  ok,
  passphraseReadable,
  placeholders,
  problem,
  stateOffThePrimary,
} from "./doctorChecks";
import { CheckExitCode, OpsError } from "./exitCodes";
import { rawConfig } from "./settings";
import { readStackFile, type StackFile, stackFilePath } from "./stackFile";
import type { StatusDeps } from "./statusJob";
import { errorText, openStack } from "./workspace";

export const DOCTOR_PREFIX = "pra doctor";

export interface DoctorDeps extends StatusDeps {
  /** The primary's read-only check (sync/runner/primaryCheck.ts); replaceable in tests. */
  checkPrimary(opts: PrimaryCheckOptions): Promise<PrimaryCheck>;
}

export interface DoctorReport {
  stack: string;
  checks: Check[];
  problems: number;
  exitCode: CheckExitCode;
}

/** `npm run doctor`: every check, read-only, every problem with its fix. Returns the exit code. */
export async function runDoctor(argv: string[], deps: DoctorDeps): Promise<number> {
  let args: CheckArgs;
  try {
    args = parseCheckArgs(argv, doctorUsage);
  } catch (e) {
    deps.out(`${DOCTOR_PREFIX}: ${(e as Error).message}\n`);
    return CheckExitCode.NotConfigured;
  }
  if (args.help) {
    deps.out(`${doctorUsage}\n`);
    return CheckExitCode.Ok;
  }
  const report = await examine(args, deps);
  deps.out(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
  return report.exitCode;
}

async function examine(args: CheckArgs, deps: DoctorDeps): Promise<DoctorReport> {
  const checks: Check[] = [];
  let configured = true;
  let file: StackFile | undefined;
  try {
    file = readStackFile(args.workDir, args.stack);
    if (file) checks.push(ok("stack file", file.file));
  } catch (e) {
    checks.push(problem("stack file", (e as Error).message, "fix the YAML (pulumi config set rewrites it cleanly)"));
  }
  if (!file) {
    configured = false;
    if (checks.length === 0) {
      checks.push(
        problem(
          "stack file",
          `no ${stackFilePath(args.workDir, args.stack)}`,
          `cp Pulumi.dev.yaml Pulumi.${args.stack}.yaml, edit it (every key is commented), then scripts/up ${args.stack}`,
        ),
      );
    }
  }
  const source = file?.get("source") ?? projectDefaults().string("source");
  const credentials = credentialsPresent(deps.env, args.workDir, file?.allKeys ?? []);
  const passphrase = passphraseReadable(deps.env);
  checks.push(credentials, passphrase, stateOffThePrimary(deps.env, source));
  if (file) checks.push(placeholders(file));

  const stack = file ? await openForDoctor(args, deps, checks) : undefined;
  if (!stack) configured = false;
  const ready = stack && credentials.status === "ok" && passphrase.status === "ok";
  checks.push(
    ready ? await cloudAccepts(stack) : notChecked("credentials accepted", needs(stack, credentials, passphrase)),
  );
  checks.push(...(await cloudNames(file, deps.env, credentials.status === "ok")));
  checks.push(...(await primaryReadable(file, stack, passphrase.status === "ok", deps)));
  const problems = checks.filter((c) => c.status === "problem").length;
  return {
    stack: args.stack,
    checks,
    problems,
    exitCode: !configured ? CheckExitCode.NotConfigured : problems > 0 ? CheckExitCode.Attention : CheckExitCode.Ok,
  };
}

function needs(stack: Stack | undefined, ...checks: Check[]): string {
  const missing = [...(stack ? [] : ["the stack"]), ...checks.filter((c) => c.status !== "ok").map((c) => c.name)];
  return `needs ${missing.join(" and ")} (see above)`;
}

/** The CLI, the backend and the stack in it; the outputs read back prove the passphrase fits the state. */
async function openForDoctor(args: CheckArgs, deps: DoctorDeps, checks: Check[]): Promise<Stack | undefined> {
  const name = "state backend";
  let stack: Stack;
  try {
    stack = await openStack({
      stackName: args.stack,
      workDir: args.workDir,
      pulumiRoot: deps.pulumiRoot,
      log: () => {},
    });
  } catch (e) {
    const message = e instanceof OpsError ? e.message : errorText(e, 4);
    const [detail, fix] = message.includes(": ")
      ? splitFix(message)
      : [message, 'see docs/RUNBOOK.md "Where state and secrets live"'];
    checks.push(problem(name, detail, fix));
    return undefined;
  }
  try {
    await stack.outputs();
    checks.push(ok(name, `stack ${args.stack} found and its state read`));
  } catch (e) {
    checks.push(
      problem(
        name,
        `stack ${args.stack} found, but its state cannot be read: ${errorText(e, 3)}`,
        "check the passphrase (the one the stack was created with) and PULUMI_BACKEND_URL",
      ),
    );
  }
  return stack;
}

/** "no pulumi CLI found (...): install 3.248.0 (...)" -> the finding, and what to do. */
function splitFix(message: string): [string, string] {
  const at = message.lastIndexOf(": ");
  return [message.slice(0, at), message.slice(at + 2)];
}

/** The cloud check the nightly job runs before a boot: a preview of the stack as it is, which changes nothing. */
async function cloudAccepts(stack: Stack): Promise<Check> {
  const name = "credentials accepted";
  try {
    await stack.preview({ onOutput: () => {}, onError: () => {} });
    return ok(name, "pulumi preview of the stack as it is succeeded (the cloud looked the image and network up)");
  } catch (e) {
    return problem(name, `pulumi preview failed: ${errorText(e, 4)}`, CLOUD_CHECK_FIX);
  }
}

function onPath(tool: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, tool)));
}

/** image, network, flavor and floating-IP pool by the names the stack gives, with the openstack CLI if there is one. */
async function cloudNames(file: StackFile | undefined, env: NodeJS.ProcessEnv, credentials: boolean): Promise<Check[]> {
  const name = "cloud names";
  if (!file) return [notChecked(name, "needs the stack file")];
  if (!onPath("openstack", env)) {
    return [
      notChecked(
        name,
        "no openstack CLI here (apt-get install python3-openstackclient to check image, network, flavor and floating-IP pool by name); the preview above looks the image and network up",
      ),
    ];
  }
  if (!credentials) return [notChecked(name, "needs OpenStack credentials (see above)")];
  const wanted: [string, string, string | undefined][] = [
    ["image", "imageName", file.get("imageName")],
    ["image", "imageId", file.get("imageId")],
    ["network", "networkName", file.get("networkName")],
    ["network", "floatingIpPool", file.get("floatingIpPool")],
    ["flavor", "flavorName", file.get("flavorName")],
  ];
  const checks: Check[] = [];
  for (const [kind, key, value] of wanted) {
    if (!value) continue;
    const r = await run(["openstack", kind, "show", value, "-f", "value", "-c", "id"], { timeoutMs: 60_000 });
    checks.push(
      r.code === 0
        ? ok(`${key}`, `${kind} ${value} exists (${r.stdout.trim()})`)
        : problem(
            `${key}`,
            `openstack ${kind} show ${value} failed: ${r.stderr.trim().split("\n").pop() ?? `exit ${r.code}`}`,
            `pulumi config set ${key} <name from openstack ${kind} list${key === "floatingIpPool" ? " --external" : ""}>`,
          ),
    );
  }
  return checks;
}

/**
 * The primary as the sync reads it. With source ssh the primary's key is a secret: it needs the
 * decrypted config, so the passphrase and the stack.
 */
async function primaryReadable(
  file: StackFile | undefined,
  stack: Stack | undefined,
  passphrase: boolean,
  deps: DoctorDeps,
): Promise<Check[]> {
  const name = "primary";
  if (!file) return [notChecked(name, "needs the stack file")];
  let get: RawConfig = file.get;
  let primaryPrivateKey: string | undefined;
  let sync: ReturnType<typeof parseSyncConfig>;
  try {
    if (file.get("source") === "ssh") {
      if (!stack || !passphrase)
        return [notChecked(name, "source is ssh: needs the stack and the passphrase for the primary's key")];
      get = rawConfig(await stack.getAllConfig());
      primaryPrivateKey = requirePrimaryKey(get);
    }
    sync = parseSyncConfig(get);
  } catch (e) {
    return [
      problem(name, (e as Error).message, e instanceof ConfigError ? "see the message" : "check the stack's config"),
    ];
  }
  const where = sync.source === "ssh" ? `${sync.primary?.host} over SSH` : "this machine (source: local)";
  let result: PrimaryCheck;
  try {
    result = await deps.checkPrimary({
      ...primarySide(sync),
      primaryPrivateKey,
      apacheSiteConfig: sync.apacheSiteConfig,
    });
  } catch (e) {
    return [
      problem(
        name,
        `cannot reach the primary (${where}): ${(e as Error).message}`,
        "check primaryHost, primarySshUser, primaryHostKey and the key",
      ),
    ];
  }
  if (result.problems.length === 0) return [ok(name, `readable on ${where}: ${result.found.join("; ")}`)];
  return result.problems.map((p) => problem(name, `on ${where}: ${p.finding}`, p.fix));
}

export function renderDoctor(r: DoctorReport): string {
  const label = { ok: "ok", problem: "PROBLEM", "not checked": "not checked" } as const;
  const lines = [`${DOCTOR_PREFIX}: stack ${r.stack}`];
  for (const c of r.checks) {
    lines.push(`  ${label[c.status].padEnd(12)} ${c.name}: ${c.detail}`);
    if (c.fix) lines.push(`  ${"".padEnd(12)} fix: ${c.fix}`);
  }
  lines.push(
    r.exitCode === CheckExitCode.Ok
      ? `${DOCTOR_PREFIX}: ok, every check passed`
      : `${DOCTOR_PREFIX}: ${r.problems} problem${r.problems === 1 ? "" : "s"}${r.exitCode === CheckExitCode.NotConfigured ? ", not configured" : ""} (exit ${r.exitCode})`,
  );
  return `${lines.join("\n")}\n`;
}
