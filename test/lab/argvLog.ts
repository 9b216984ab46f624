import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LabHost } from "./lab";

/**
 * Commands the sync and failback reach through PATH (directly, through sudo's secure_path, or from a
 * script). Each gets a shim earlier on PATH that appends its whole command line to a log, then runs
 * the real command: the test then reads exactly what every command was given, instead of sampling
 * /proc and hoping to catch short-lived processes.
 */
export const LOGGED_COMMANDS = [
  "ssh",
  "scp",
  "rsync",
  "sudo",
  "bash",
  "timeout",
  "mariadb",
  "mysql",
  "mariadb-dump",
  "mysqldump",
  "mariadb-admin",
  "php",
  "curl",
  "gzip",
  "gunzip",
  "pigz",
  "tee",
  "cat",
  "install",
  "cp",
  "mv",
  "find",
  "xargs",
  "sha256sum",
  "sed",
  "apache2ctl",
  "a2ensite",
  "a2enmod",
  "chown",
  "node",
  "npx",
] as const;

/**
 * One shim serves every command: it logs its own name and arguments (raw, one command per line), then
 * runs the real command of the same name from the system directories. Children keep the shimmed PATH,
 * so what the real command starts is logged too.
 */
function shimText(log: string): string {
  return `#!/bin/bash
# PRA lab: records this command line, then runs the real command of the same name.
printf '%s ' "\${0##*/}" "$@" >> ${log} 2>/dev/null
printf '\\n' >> ${log} 2>/dev/null
real=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin type -P "\${0##*/}") || { echo "argv shim: no real \${0##*/}" >&2; exit 127; }
exec "$real" "$@"
`;
}

/** Where a host's shims log: its own /var (private to the host), writable by every user that runs steps. */
export const HOST_ARGV_LOG = "/var/log/pra-argv.log";

/** Installs the shims into the host's /usr/local/bin (the host's private /usr, never the machine's). */
export async function installHostShims(host: LabHost): Promise<void> {
  await host.exec(
    `set -euo pipefail
: > ${HOST_ARGV_LOG}; chmod 0666 ${HOST_ARGV_LOG}
shim=$(cat)
for name in ${LOGGED_COMMANDS.join(" ")}; do
  PATH=/usr/sbin:/usr/bin:/sbin:/bin type -P "$name" >/dev/null || continue
  printf '%s\n' "$shim" > "/usr/local/bin/$name"
  chmod 0755 "/usr/local/bin/$name"
done`,
    { input: shimText(HOST_ARGV_LOG) },
  );
}

/** Shims for the machine side (where Pulumi's local commands run): a directory to put first on PATH. */
export async function makeRunnerShims(dir: string): Promise<{ binDir: string; log: string }> {
  const binDir = join(dir, "argv-shims");
  const log = join(dir, "argv-runner.log");
  await mkdir(binDir, { recursive: true });
  await writeFile(log, "");
  await chmod(log, 0o666);
  for (const name of LOGGED_COMMANDS) await writeFile(join(binDir, name), shimText(log), { mode: 0o755 });
  return { binDir, log };
}

/** Every command line a host's shims logged so far. */
export async function hostArgvLog(host: LabHost): Promise<string> {
  return (await host.exec(`cat ${HOST_ARGV_LOG}`)).stdout;
}

export async function runnerArgvLog(log: string): Promise<string> {
  return readFile(log, "utf8");
}
