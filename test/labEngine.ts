import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { run } from "../sync/runner/proc";
import { type ResourceHook, validConfig } from "./harness";
import type { Lab } from "./lab/lab";

const PROJECT = resolve(__dirname, "..");

export interface CommandLog {
  name: string;
  kind: "local" | "remote";
  create: string;
  stdout: string;
  stderr: string;
  code: number;
  ms: number;
}

/** Runs a command as @pulumi/command would: from the project directory, with the resource's environment. */
async function exec(argv: string[], input: string, env?: Record<string, string>) {
  const { code, stdout, stderr } = await run(argv, { input, cwd: PROJECT, env: { ...process.env, ...env } });
  return { code, stdout, stderr };
}

function publicOf(privateKey: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pra-pub-"));
  try {
    writeFileSync(join(dir, "k"), privateKey, { mode: 0o600 });
    return execFileSync("ssh-keygen", ["-y", "-f", join(dir, "k")], { encoding: "utf8" }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A mock engine that does the real work: the floating IP is the lab standby's address, the host key
 * is the one the lab standby presents, and every command:local / command:remote resource really runs
 * its rendered command (local ones from the project directory, remote ones over SSH with the pinned
 * key, exactly as @pulumi/command would). A failing command fails the resource, as in a real `up`.
 */
export function labHooks(
  lab: Lab,
  log: CommandLog[],
  opts: {
    pinnedHostKey?: string;
    localOnPrimary?: boolean;
    /** A directory put first on PATH for the local commands (the argv-logging shims). */
    pathPrefix?: string;
    /**
     * A network namespace the commands run in (local ones and the SSH client of remote ones), where the
     * Pulumi machine's network is, e.g. outside the stand-in cloud. Default: the machine's own.
     */
    netns?: string;
  } = {},
): Record<string, ResourceHook> {
  const hostKey = {
    privateKey: lab.standby.ssh.hostPrivateKey,
    publicKey: opts.pinnedHostKey ?? lab.standby.ssh.hostPublicKey,
  };
  const inNetns = (argv: string[]) => (opts.netns ? ["ip", "netns", "exec", opts.netns, ...argv] : argv);
  const client = { privateKey: lab.standby.ssh.privateKey, publicKey: publicOf(lab.standby.ssh.privateKey) };
  const record = async (
    name: string,
    kind: "local" | "remote",
    create: string,
    argv: string[],
    input: string,
    env?: Record<string, string>,
  ) => {
    const started = Date.now();
    const r = await exec(argv, input, env);
    log.push({ name, kind, create, ...r, ms: Date.now() - started });
    if (r.code !== 0) throw new Error(`${name}: command failed (exit ${r.code}): ${create}\n${r.stderr}`);
    return { stdout: r.stdout, stderr: r.stderr };
  };
  return {
    "openstack:networking/floatingIp:FloatingIp": async () => ({ address: lab.standby.address }),
    "tls:index/privateKey:PrivateKey": async (args: MockResourceArgs) => {
      const key = args.name.endsWith("-host") ? hostKey : client;
      return { privateKeyOpenssh: key.privateKey, publicKeyOpenssh: `${key.publicKey}\n` };
    },
    "command:local:Command": async (args: MockResourceArgs, inputs) => {
      const create = String(inputs.create);
      if (create === "cat") return { stdout: String(inputs.stdin ?? ""), stderr: "" };
      const env: Record<string, string> = {
        ...(inputs.environment as Record<string, string> | undefined),
        ...(opts.pathPrefix ? { PATH: `${opts.pathPrefix}:${process.env.PATH ?? ""}` } : {}),
      };
      if (!opts.localOnPrimary) {
        return record(args.name, "local", create, inNetns(["bash", "-c", create]), String(inputs.stdin ?? ""), env);
      }
      // source=local: Pulumi itself runs on the primary, so its local commands run there. The host's
      // private /tmp hides a checkout under /tmp: the lab keeps the machine's /tmp at /run/pra-host-tmp.
      const project = PROJECT.startsWith("/tmp/") ? `/run/pra-host-tmp/${PROJECT.slice(5)}` : PROJECT;
      const started = Date.now();
      const r = await lab.primary.exec(`cd ${project} && ${create}`, {
        input: String(inputs.stdin ?? ""),
        allowFail: true,
        timeoutMs: 600_000,
      });
      log.push({ name: args.name, kind: "local", create, ...r, ms: Date.now() - started });
      if (r.code !== 0) throw new Error(`${args.name}: command failed (exit ${r.code}): ${create}\n${r.stderr}`);
      return { stdout: r.stdout, stderr: r.stderr };
    },
    "command:remote:Command": async (args: MockResourceArgs, inputs) => {
      const c = inputs.connection as { host: string; port: number; user: string; privateKey: string; hostKey: string };
      const dir = mkdtempSync(join(tmpdir(), "pra-remote-"));
      try {
        writeFileSync(join(dir, "key"), c.privateKey.endsWith("\n") ? c.privateKey : `${c.privateKey}\n`, {
          mode: 0o600,
        });
        writeFileSync(join(dir, "known_hosts"), `pra-mock-pin ${c.hostKey}\n`);
        const argv = inNetns([
          "ssh",
          "-i",
          join(dir, "key"),
          "-p",
          String(c.port),
          "-o",
          "BatchMode=yes",
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          `UserKnownHostsFile=${join(dir, "known_hosts")}`,
          "-o",
          "HostKeyAlias=pra-mock-pin",
          `${c.user}@${c.host}`,
          String(inputs.create),
        ]);
        return await record(args.name, "remote", String(inputs.create), argv, String(inputs.stdin ?? ""));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Stack config of a sync from the lab's primary (over SSH, pinned) to the lab's standby. */
export function labSyncConfig(lab: Lab, run: string): Record<string, string> {
  return {
    ...validConfig,
    siteHostname: "blog.example.test",
    syncRun: run,
    source: "ssh",
    primaryHost: lab.primary.address,
    primaryHostKey: lab.primary.ssh.hostPublicKey,
    primarySshPrivateKey: lab.primary.ssh.privateKey,
    webRoot: "/var/www/blog",
    apacheSiteConfig: "/etc/apache2/sites-available/blog.conf",
    readyTimeoutMinutes: "2",
  };
}
