import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KeyPair, newEd25519Key } from "../lab/keys";
import { waitForTcp } from "../lab/netns";

/** A real OpenSSH sshd on 127.0.0.1 for one test file, with a fresh ed25519 host key. */
export interface LoopbackSshd {
  port: number;
  hostKey: KeyPair;
  clientKey: KeyPair;
  /** A directory the remote commands may write to (the test's own). */
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Starts sshd with a config, keys and pid file in a temporary directory. It runs in a mount namespace
 * of its own with a private /run, so the privilege-separation directory it needs is never created on
 * the machine itself; root may log in with the test's key only.
 */
export async function startLoopbackSshd(): Promise<LoopbackSshd> {
  const dir = await mkdtemp(join(tmpdir(), "pra-sshd-"));
  const [hostKey, clientKey, port] = await Promise.all([
    newEd25519Key(dir, "host"),
    newEd25519Key(dir, "client"),
    freePort(),
  ]);
  await writeFile(join(dir, "authorized_keys"), `${clientKey.publicKey}\n`, { mode: 0o600 });
  await writeFile(
    join(dir, "sshd_config"),
    `# Written by test/engine/loopbackSshd.ts
ListenAddress 127.0.0.1:${port}
HostKey ${join(dir, "host")}
AuthorizedKeysFile ${join(dir, "authorized_keys")}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile ${join(dir, "sshd.pid")}
MaxStartups 100:30:200
LogLevel VERBOSE
`,
  );
  const daemon: ChildProcess = spawn(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      'mount -t tmpfs pra-sshd-run /run && mkdir -m 0755 /run/sshd && exec /usr/sbin/sshd -D -e -f "$1"',
      "sh",
      join(dir, "sshd_config"),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  daemon.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  await waitForTcp("127.0.0.1", port, 10_000).catch((e: unknown) => {
    daemon.kill();
    throw new Error(`loopback sshd did not listen on ${port}: ${String(e)}\n${log}`);
  });
  return {
    port,
    hostKey,
    clientKey,
    dir,
    stop: async () => {
      daemon.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
