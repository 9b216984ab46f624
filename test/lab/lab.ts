import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { layout } from "../../sync/layout";
import { BLOG_HOST, configureApache, startApache } from "./apache";
import { Host } from "./host";
import { checkedKeyPair, type KeyPair, newEd25519Key } from "./keys";
import { acquireLabLock, recordLabDir, releaseLabLock } from "./lock";
import { startMariadb } from "./mariadb";
import { createNetwork, destroyNetwork, HOST_NETS, type HostNet, OVERLAID_DIRS, startHolder } from "./netns";
import { run } from "./proc";
import { startSshd } from "./sshd";
import { installLetsEncrypt, type LabTls, makeLabCertificates } from "./tls";
import { ensureLoginUser, LOGIN_USER } from "./users";
import { addComment, addPost, installWordPress, plantWebRoot, refreshSupercache } from "./wordpress";

export interface SshEndpoint {
  /** IP address of the host in its namespace. */
  host: string;
  port: number;
  /** "pra": non-root login user with passwordless sudo. */
  user: string;
  /** OpenSSH private key (ed25519) of the client, made fresh per lab run. */
  privateKey: string;
  /** "ssh-ed25519 AAAA..." (no comment): the host key the host really presents. */
  hostPublicKey: string;
  /** That host key's OpenSSH private key (the program under test will "own" it). */
  hostPrivateKey: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface LabHost {
  name: "primary" | "standby";
  address: string;
  ssh: SshEndpoint;
  /**
   * Runs a bash script as root INSIDE the host (its network, mount and UTS namespaces). stdin/stdout/stderr
   * are regular files, so /dev/stdin works; opts.input is stdin (else /dev/null). Rejects with an Error
   * containing stderr when the exit code is non-zero, unless opts.allowFail. Default timeout: 120 s.
   */
  exec(
    script: string,
    opts?: { input?: string | Buffer; allowFail?: boolean; timeoutMs?: number },
  ): Promise<ExecResult>;
  /** Runs SQL (passed on stdin) as MariaDB root (unix socket) inside the host; returns tab-separated rows (mariadb -N -B). */
  sql(query: string, database?: string): Promise<string>;
  /**
   * PIDs of this host's processes whose command line matches the regular expression (like pgrep -f).
   * The hosts share the machine's PID namespace, so the numbers work with kill both inside and outside.
   */
  pidsOf(pattern: string): Promise<number[]>;
}

export interface PrimaryHost extends LabHost {
  /** Publishes a post dated after every other post (so it is the newest); refreshes the Super Cache home page. */
  addPost(title: string, content: string): Promise<number>;
  /** Adds an approved comment; refreshes the Super Cache home page. */
  addComment(postId: number, text: string): Promise<number>;
}

export interface Lab {
  /** The lab's temp dir (in the root namespace; the hosts have their own /tmp). */
  dir: string;
  primary: PrimaryHost;
  standby: LabHost;
  /** "blog.example.test" */
  blogHost: string;
  /** Set when the blog is served over HTTPS (startLab's `tls`): the lab CA that issued its certificate. */
  tls?: LabTls;
  /** Kills every process, unmounts, deletes netns/veths/bridge, removes the temp dir; idempotent. */
  stop(): Promise<void>;
}

export interface StartLabOptions {
  /** The host key the standby presents instead of a fresh one (to test a pinned-key mismatch). */
  standbyHostKey?: { privateKey: string; publicKey: string };
  /**
   * An HTTPS blog: a lab CA made for this run, a certificate for the blog's name in Let's Encrypt's
   * layout, siteurl/home https, HSTS, and port 80 redirecting to https.
   */
  tls?: boolean;
}

class LabPrimary extends Host implements PrimaryHost {
  addPost(title: string, content: string): Promise<number> {
    return addPost(this, title, content);
  }

  addComment(postId: number, text: string): Promise<number> {
    return addComment(this, postId, text);
  }
}

/** How long startLab waits for the lab of another test run on this machine to stop. */
const LOCK_WAIT_MS = Number(process.env.PRA_LAB_LOCK_WAIT_MS ?? 600_000);

class StepError extends Error {}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StepError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new StepError(`startLab failed at step "${name}": ${message}`, { cause: e });
  }
}

/** Waits for every task, so that teardown never races a setup still in flight; then reports the first failure. */
async function all<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

async function teardown(dir: string | undefined, holderPids: number[]): Promise<void> {
  await destroyNetwork(holderPids);
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}

async function prepareHostDir(net: HostNet, hostDir: string): Promise<void> {
  await Promise.all(
    OVERLAID_DIRS.flatMap((d) => [
      mkdir(join(hostDir, "upper", d), { recursive: true }),
      mkdir(join(hostDir, "work", d), { recursive: true }),
    ]),
  );
  await Promise.all(["www", "mysql", "srv", "tmp"].map((d) => mkdir(join(hostDir, d))));
  // A fresh image has Debian's /var/www/html (the default site).
  await run(["cp", "-a", "/var/www/.", join(hostDir, "www")]);
  await run(["chown", "mysql:mysql", join(hostDir, "mysql")]);
  await run(["chmod", "1777", join(hostDir, "tmp")]);
  if (net.name === "standby") {
    // The data volume: a freshly formatted ext4 has lost+found.
    await mkdir(join(hostDir, "volume"), { mode: 0o755 });
    await mkdir(join(hostDir, "volume", "lost+found"), { mode: 0o700 });
  }
}

function endpoint(address: string, client: KeyPair, hostKey: KeyPair): SshEndpoint {
  return {
    host: address,
    port: 22,
    user: LOGIN_USER,
    privateKey: client.privateKey,
    hostPublicKey: hostKey.publicKey,
    hostPrivateKey: hostKey.privateKey,
  };
}

async function setUpPrimary(
  primary: LabPrimary,
  clientPublicKey: string,
  hostKey: KeyPair,
  tls: (LabTls & { dir: string }) | undefined,
): Promise<void> {
  const planted = step("primary: copy WordPress into /var/www/blog", () =>
    plantWebRoot(primary, tls ? "https" : "http"),
  );
  await all<unknown>([
    step("primary: start sshd", () => startSshd(primary, hostKey, clientPublicKey)),
    step("primary: start MariaDB", () => startMariadb(primary)),
    planted,
    step("primary: configure Apache", async () => {
      if (tls) await installLetsEncrypt(primary, tls);
      await configureApache(primary, tls ? "blog-tls" : "blog");
    }),
  ]);
  const dbPassword = await planted;
  await step("primary: install WordPress", () => installWordPress(primary, dbPassword));
  await step("primary: start Apache", () => startApache(primary));
  await step("primary: fill the WP Super Cache", () => refreshSupercache(primary));
}

async function setUpStandby(standby: Host, clientPublicKey: string, hostKey: KeyPair): Promise<void> {
  await all([
    step("standby: start sshd", () => startSshd(standby, hostKey, clientPublicKey)),
    step("standby: start MariaDB", () => startMariadb(standby)),
    step("standby: configure and start Apache", async () => {
      await configureApache(standby, "default");
      await startApache(standby);
    }),
    step("standby: check the data volume", async () => {
      await standby.exec("mountpoint -q /srv/pra");
    }),
    step("standby: the first boot's result, as cloud-init leaves it", () => firstBootDone(standby)),
  ]);
}

/**
 * The lab boots no instance, so no cloud-init runs: the ready check must still find what a real first
 * boot leaves, cloud-init finished and PRA's boot-done mark (the machine's own cloud-init says "not run").
 */
async function firstBootDone(standby: Host): Promise<void> {
  await standby.writeFile("/usr/local/bin/cloud-init", '#!/bin/sh\necho "status: done"\n', "0755");
  await standby.writeFile(`${layout.bootState}/boot-done`, "2025-01-01T00:00:00Z\n");
}

async function checkConnectivity(primary: Host, standby: Host, tls: LabTls | undefined): Promise<void> {
  const request = tls
    ? ["--cacert", tls.caFile, "--resolve", `${BLOG_HOST}:443:${primary.address}`, `https://${BLOG_HOST}/`]
    : ["-H", `Host: ${BLOG_HOST}`, `http://${primary.address}/`];
  const page = await run(["curl", "-fsS", "--max-time", "10", ...request]);
  if (!page.stdout.includes("Lab newest post")) throw new Error("the primary's home page lacks the newest post");
  await standby.exec(`timeout 5 bash -c '</dev/tcp/${primary.address}/22'`);
  await primary.exec(`timeout 5 bash -c '</dev/tcp/${standby.address}/22'`);
}

export async function startLab(opts: StartLabOptions = {}): Promise<Lab> {
  const { stale } = await step("take the lab lock", () => acquireLabLock(LOCK_WAIT_MS));
  let dir: string | undefined;
  const holderPids: number[] = [];
  try {
    await step("clean up a previous lab", () =>
      teardown(stale?.dir?.startsWith("/tmp/pra-lab-") ? stale.dir : undefined, []),
    );
    // Under /tmp, never under an overlaid directory: an overlay's upper dir may not sit inside its lower dir.
    dir = await step("create the lab directory", () => mkdtemp("/tmp/pra-lab-"));
    recordLabDir(dir);
    const labDir = dir;
    const [client, primaryKey, standbyKey] = await step("make ssh keys", async () => {
      const keysDir = join(labDir, "keys");
      await mkdir(keysDir);
      return all([
        newEd25519Key(keysDir, "client"),
        newEd25519Key(keysDir, "primary-host"),
        opts.standbyHostKey ? checkedKeyPair(keysDir, opts.standbyHostKey) : newEd25519Key(keysDir, "standby-host"),
      ]);
    });
    await step(`create the ${LOGIN_USER} user`, ensureLoginUser);
    await step("create the network", createNetwork);
    const tls = opts.tls
      ? await step("make the lab CA and the blog's certificate", async () => {
          const tlsDir = join(labDir, "tls");
          await mkdir(tlsDir, { mode: 0o700 });
          return makeLabCertificates(tlsDir);
        })
      : undefined;
    const ioDir = join(labDir, "io");
    await mkdir(ioDir);
    const [primaryNet, standbyNet] = HOST_NETS as [HostNet, HostNet];
    const [primaryPid = 0, standbyPid = 0] = await step("start the host namespaces", () =>
      all(
        HOST_NETS.map(async (net) => {
          const hostDir = join(labDir, net.name);
          await prepareHostDir(net, hostDir);
          const pid = await startHolder(net, hostDir);
          holderPids.push(pid);
          return pid;
        }),
      ),
    );
    const primary = new LabPrimary(
      "primary",
      primaryNet.address,
      endpoint(primaryNet.address, client, primaryKey),
      primaryPid,
      ioDir,
    );
    const standby = new Host(
      "standby",
      standbyNet.address,
      endpoint(standbyNet.address, client, standbyKey),
      standbyPid,
      ioDir,
    );
    await all([
      setUpPrimary(primary, client.publicKey, primaryKey, tls),
      setUpStandby(standby, client.publicKey, standbyKey),
    ]);
    await step("check connectivity", () => checkConnectivity(primary, standby, tls));

    let stopping: Promise<void> | undefined;
    return {
      dir: labDir,
      primary,
      standby,
      blogHost: BLOG_HOST,
      ...(tls ? { tls: { caPem: tls.caPem, caFile: tls.caFile, notAfter: tls.notAfter } } : {}),
      stop: () => {
        stopping ??= teardown(labDir, holderPids).finally(releaseLabLock);
        return stopping;
      },
    };
  } catch (e) {
    await teardown(dir, holderPids).catch(() => undefined);
    releaseLabLock();
    throw e;
  }
}
