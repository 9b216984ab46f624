import { chmod, readFile, writeFile } from "node:fs/promises";
import { run } from "./proc";

export const LOGIN_USER = "pra";
const SUDOERS_FILE = "/etc/sudoers.d/pra-lab";
const SUDOERS = `${LOGIN_USER} ALL=(ALL) NOPASSWD:ALL\n`;

/**
 * The login user is created machine-wide, in the root namespace, before the hosts start: /etc/passwd is
 * shared (the hosts' /etc is an overlay on the machine's), which keeps uids identical on both hosts.
 */
export async function ensureLoginUser(): Promise<void> {
  const id = await run(["id", "-u", LOGIN_USER], { allowFail: true });
  if (id.code !== 0) await run(["useradd", "-m", "-s", "/bin/bash", LOGIN_USER]);
  const current = await readFile(SUDOERS_FILE, "utf8").catch(() => "");
  if (current !== SUDOERS) {
    await writeFile(SUDOERS_FILE, SUDOERS, { mode: 0o440 });
    await chmod(SUDOERS_FILE, 0o440);
    await run(["visudo", "-c", "-q", "-f", SUDOERS_FILE]);
  }
}
