import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { StackFile } from "./stackFile";
import { stateLocation } from "./stateLocation";

/** One line of the doctor's report: a problem always comes with its fix. */
export interface Check {
  name: string;
  status: "ok" | "problem" | "not checked";
  detail: string;
  fix?: string;
}

export const ok = (name: string, detail: string): Check => ({ name, status: "ok", detail });
export const problem = (name: string, detail: string, fix: string): Check => ({ name, status: "problem", detail, fix });
export const notChecked = (name: string, detail: string): Check => ({ name, status: "not checked", detail });

/** Where the OpenStack SDK looks for clouds.yaml, in its order. */
function cloudsFiles(env: NodeJS.ProcessEnv, workDir: string): string[] {
  const home = env.HOME || homedir();
  return [
    ...(env.OS_CLIENT_CONFIG_FILE ? [env.OS_CLIENT_CONFIG_FILE] : []),
    join(workDir, "clouds.yaml"),
    join(home, ".config/openstack/clouds.yaml"),
    "/etc/openstack/clouds.yaml",
  ];
}

/** OS_CLOUD with its clouds.yaml entry, the openrc variables, or the stack's own openstack: keys. */
export function credentialsPresent(env: NodeJS.ProcessEnv, workDir: string, stackKeys: string[]): Check {
  const name = "OpenStack credentials";
  if (env.OS_CLOUD) {
    for (const file of cloudsFiles(env, workDir)) {
      if (!existsSync(file)) continue;
      let clouds: unknown;
      try {
        clouds = (parse(readFileSync(file, "utf8")) as { clouds?: Record<string, unknown> } | null)?.clouds;
      } catch (e) {
        return problem(name, `${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`, `fix ${file}`);
      }
      if (clouds && typeof clouds === "object" && env.OS_CLOUD in clouds) {
        return ok(name, `OS_CLOUD=${env.OS_CLOUD}, entry found in ${file}`);
      }
    }
    return problem(
      name,
      `OS_CLOUD=${env.OS_CLOUD} but no clouds.yaml (${cloudsFiles(env, workDir).join(", ")}) has that entry`,
      `add clouds: ${env.OS_CLOUD}: to ~/.config/openstack/clouds.yaml (Horizon: API Access > Download clouds.yaml), or export the right OS_CLOUD`,
    );
  }
  if (env.OS_AUTH_URL) {
    const withPassword = env.OS_USERNAME && env.OS_PASSWORD;
    const withAppCredential = env.OS_APPLICATION_CREDENTIAL_ID && env.OS_APPLICATION_CREDENTIAL_SECRET;
    if (withPassword || withAppCredential || env.OS_TOKEN) {
      return ok(
        name,
        `openrc variables (OS_AUTH_URL=${env.OS_AUTH_URL}, ${withAppCredential ? "application credential" : withPassword ? "user and password" : "token"})`,
      );
    }
    return problem(
      name,
      "OS_AUTH_URL is set but neither OS_USERNAME/OS_PASSWORD nor OS_APPLICATION_CREDENTIAL_ID/_SECRET",
      "source your project's openrc file again (it asks for the password), or use an application credential",
    );
  }
  if (stackKeys.some((k) => k.startsWith("openstack:"))) {
    return ok(name, "openstack: provider keys in the stack file");
  }
  return problem(
    name,
    "none: no OS_CLOUD, no OS_AUTH_URL",
    "export OS_CLOUD=<entry> with a clouds.yaml (Horizon: API Access > Download clouds.yaml), or source your openrc file",
  );
}

/** The passphrase that decrypts the stack's secrets: a readable, non-empty file (or the variable itself). */
export function passphraseReadable(env: NodeJS.ProcessEnv): Check {
  const name = "passphrase";
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (file) {
    try {
      accessSync(file, constants.R_OK);
      if (statSync(file).size === 0) {
        return problem(
          name,
          `PULUMI_CONFIG_PASSPHRASE_FILE=${file} is empty`,
          `write the stack's passphrase into ${file} (chmod 600)`,
        );
      }
      const mode = statSync(file).mode & 0o077;
      return ok(name, `${file} readable${mode ? ` (warning: readable by others, chmod 600 ${file})` : ""}`);
    } catch {
      return problem(
        name,
        `PULUMI_CONFIG_PASSPHRASE_FILE=${file} does not exist or is unreadable`,
        `create it with the stack's passphrase (umask 077; printf '%s' '<passphrase>' > ${file}) or fix the path`,
      );
    }
  }
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return ok(name, "PULUMI_CONFIG_PASSPHRASE is set (a file is safer)");
  return problem(
    name,
    "neither PULUMI_CONFIG_PASSPHRASE_FILE nor PULUMI_CONFIG_PASSPHRASE is set",
    "export PULUMI_CONFIG_PASSPHRASE_FILE=~/.pra-passphrase (a file only you can read, holding the stack's passphrase)",
  );
}

/** A state file on the primary burns with it: the one failover that matters would have no state. */
export function stateOffThePrimary(env: NodeJS.ProcessEnv, source: string): Check {
  const where = stateLocation(env, { source });
  const name = "state location";
  if (where.warning && source === "local") {
    return problem(
      name,
      where.warning,
      'npm run state:setup -- --migrate (a bucket in the cloud\'s object storage; it prints the pulumi login line), or pulumi login to Pulumi Cloud; docs/RUNBOOK.md "Where state and secrets live"',
    );
  }
  return ok(name, where.warning ? `${where.url} (${where.warning})` : `${where.url} (${where.kind})`);
}

/** Values that can only be the example's: reserved example domains and documentation address ranges. */
/**
 * The key material of the example's operatorSshKeys entry (Pulumi.dev.yaml, as shipped; a test keeps the
 * two equal). A constant, not the file: for stack dev the operator's own file is that file.
 */
export const EXAMPLE_SSH_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q";

const PLACEHOLDER = [
  /\bexample\.(org|com|net)\b/i,
  /\b(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}\b/,
  /\b2001:db8:/i,
];

/** A JSON list as the stack file holds it (operatorSshKeys, adminCidrs); anything else is not a list. */
function listOf(value: string | undefined): string[] {
  try {
    const v: unknown = JSON.parse(value ?? "");
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * Keys still holding a value of the example stack: a reserved name or address (RFC 2606, 5737, 3849),
 * or one of the example's SSH keys (`example` is the project's shipped Pulumi.dev.yaml).
 */
export function placeholders(stack: StackFile): Check {
  const name = "placeholder values";
  const still = stack.keys.filter((k) => {
    const v = stack.get(k);
    if (v === undefined) return false;
    if (PLACEHOLDER.some((p) => p.test(v))) return true;
    return k === "operatorSshKeys" && listOf(v).some((key) => key.includes(EXAMPLE_SSH_KEY));
  });
  if (still.length === 0) return ok(name, `none in ${stack.file}`);
  return problem(
    name,
    `${still.map((k) => `${k}=${stack.get(k)}`).join(", ")} in ${stack.file} still hold the example's values`,
    `set your own: ${still.map((k) => `pulumi config set ${k} <value>`).join("; ")} (README, Configuration reference)`,
  );
}
