import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./proc";

export interface KeyPair {
  /** OpenSSH private key, newline-terminated. */
  privateKey: string;
  /** "ssh-ed25519 AAAA..." without a comment. */
  publicKey: string;
}

export async function newEd25519Key(dir: string, name: string): Promise<KeyPair> {
  const path = join(dir, name);
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path]);
  return {
    privateKey: await readFile(path, "utf8"),
    publicKey: stripComment(await readFile(`${path}.pub`, "utf8")),
  };
}

/** Accepts a caller's key pair, checking that its halves belong together so a mismatch test fails for the right reason. */
export async function checkedKeyPair(dir: string, key: KeyPair): Promise<KeyPair> {
  const privateKey = key.privateKey.endsWith("\n") ? key.privateKey : `${key.privateKey}\n`;
  const scratch = await mkdtemp(join(dir, "key-"));
  try {
    const path = join(scratch, "k");
    await writeFile(path, privateKey, { mode: 0o600 });
    const derived = stripComment((await run(["ssh-keygen", "-y", "-f", path])).stdout);
    const publicKey = stripComment(key.publicKey);
    if (derived !== publicKey) {
      throw new Error(`standbyHostKey: publicKey ${publicKey} does not match privateKey (which gives ${derived})`);
    }
    if (!publicKey.startsWith("ssh-ed25519 ")) throw new Error(`standbyHostKey: not an ed25519 key: ${publicKey}`);
    return { privateKey, publicKey };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function stripComment(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}
