import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failbackInput } from "../../ops/failbackJob";
import type { Session } from "../../ops/session";
import { type ProgramRun, runProgram } from "../harness";
import { type Lab, startLab } from "../lab/lab";
import { run } from "../lab/proc";
import { type CommandLog, labHooks, labSyncConfig } from "../labEngine";
import { Client } from "./client";
import { ADMIN_ADDRESS, type BootedCloud, GUEST_IMAGE_NAME, startBootedCloud } from "./real/bootedCloud";
import { OUTSIDE_NETNS } from "./real/cloudNet";
import { linkLabToCloud } from "./real/labLink";
import { sshFromOutside } from "./real/outside";
import { StandInProvider } from "./standInProvider";

/**
 * The program, end to end, against a booted standby: index.ts runs under the lab engine (test/labEngine.ts:
 * its command steps really run, from the stand-in cloud's outside, over OpenSSH with the program's own pinned
 * host key) and its openstack resources are made through the stand-in cloud's API by StandInProvider, which
 * imitates the openstack provider (the real one cannot be built here; see test/toolchain/). Each scenario
 * boots one TCG guest of the Debian 12 image with PRA's cloud-config and the same data volume, so they are
 * chained in order, as the nights and the failover follow each other on a real stack.
 */
const REPO = resolve(__dirname, "../..");
let lab: Lab;
let cloud: BootedCloud;
let api: Client;
let provider: StandInProvider;
let keysDir: string;
const log: CommandLog[] = [];

const config = (more: Record<string, string>): Record<string, string> => {
  const { syncRun: _unset, ...base } = labSyncConfig(lab, "");
  return {
    ...base,
    networkName: "pra-tenant",
    floatingIpPool: "public",
    flavorName: "m1.small",
    imageName: GUEST_IMAGE_NAME,
    adminCidrs: JSON.stringify([`${ADMIN_ADDRESS}/32`]),
    dataVolumeSizeGb: "2",
    // A TCG guest takes about 45 s to SSH and 80 s to cloud-init done.
    readyTimeoutMinutes: "10",
    ...more,
  };
};

/** One `pulumi up`: the program's run, then the engine's deletes of what it no longer declares. */
async function up(more: Record<string, string>): Promise<ProgramRun> {
  const hooks = { ...labHooks(lab, log, { netns: OUTSIDE_NETNS }), ...provider.hooks() };
  // The program's own keys (the harness keeps them per name across runs, as the engine's state does),
  // not the lab standby's: the guest gets them through its cloud-config.
  delete hooks["tls:index/privateKey:PrivateKey"];
  provider.beginRun();
  const result = await runProgram(config(more), {
    hooks,
    calls: provider.calls(),
    secretKeys: ["primarySshPrivateKey"],
  });
  await provider.endRun();
  return result;
}

const servers = async () =>
  (await api.call("GET", `${api.nova}/servers/detail`)).body.servers as { id: string; status: string }[];
const volumes = async () =>
  (await api.call("GET", `${api.cinder}/volumes/detail`)).body.volumes as { id: string; status: string }[];

/** curl from the outside (the internet), the blog's name resolved to the floating IP. */
const curlBlog = (address: string) =>
  run(
    [
      "ip",
      "netns",
      "exec",
      OUTSIDE_NETNS,
      "curl",
      "-sS",
      "--connect-timeout",
      "5",
      "--resolve",
      `${lab.blogHost}:80:${address}`,
      `http://${lab.blogHost}/`,
    ],
    { allowFail: true },
  );

/** SSH to the standby from the outside (the admin address) with what the stack exports (its key and known_hosts line). */
async function sshStandby(outputs: Record<string, unknown>, command: string) {
  const keyFile = join(keysDir, "standby");
  const knownHostsFile = join(keysDir, "known_hosts");
  const privateKey = String(outputs.syncPrivateKey);
  await writeFile(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
  await writeFile(knownHostsFile, `${String(outputs.knownHosts)}\n`);
  const access = {
    floatingIp: String(outputs.floatingIp),
    sshUser: String(outputs.sshUser),
    hostKeyAlias: String(outputs.hostKeyAlias),
    knownHostsFile,
    keyFile,
  };
  return sshFromOutside(access, ADMIN_ADDRESS, command);
}

/** What every scenario ends with: no server, the volume available, no guest process in the cloud. */
async function expectNoServerLeft(): Promise<void> {
  expect(await servers()).toEqual([]);
  expect((await volumes()).map((v) => v.status)).toEqual(["available"]);
  expect((await run(["ip", "netns", "pids", "pra-cloud"])).stdout.trim()).toBe("");
}

/** A fault point on the lab primary for the body's duration (sync/scripts/lib/fault-point.sh). */
async function withPrimaryFault<T>(point: string, body: () => Promise<T>): Promise<T> {
  await lab.primary.exec(`mkdir -p /run/pra && echo ${point} > /run/pra/fault`);
  try {
    return await body();
  } finally {
    await lab.primary.exec("rm -f /run/pra/fault");
  }
}

/** npm run failback's data path, from the outside: its input made by ops' own failbackInput from the outputs. */
async function failbackFromOutside(outputs: Record<string, unknown>) {
  const get = (key: string): string | undefined => config({})[key];
  const session = { stackName: "booted", get } as unknown as Session;
  const input = failbackInput(
    session,
    Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, secret: false }])),
    new Date(),
  );
  return run(
    [
      "ip",
      "netns",
      "exec",
      OUTSIDE_NETNS,
      join(REPO, "node_modules/.bin/tsx"),
      join(__dirname, "real/failbackOutside.ts"),
    ],
    { input: JSON.stringify(input), allowFail: true, timeoutMs: 600_000 },
  );
}

beforeAll(async () => {
  keysDir = await mkdtemp(join(tmpdir(), "pra-booted-"));
  lab = await startLab();
  try {
    cloud = await startBootedCloud((line) => process.stderr.write(`${line}\n`));
    await linkLabToCloud();
    api = await Client.login(cloud);
    provider = new StandInProvider(api);
  } catch (e) {
    await cloud?.close().catch(() => undefined);
    await lab.stop();
    throw e;
  }
}, 3_600_000);

afterAll(async () => {
  try {
    await cloud?.close();
  } finally {
    await lab?.stop();
    if (keysDir) await rm(keysDir, { recursive: true, force: true });
    if (process.env.PRA_LAB_TRANSCRIPT) {
      const text = log
        .map((l) => `## ${l.name} (${l.kind}, exit ${l.code}, ${l.ms} ms)\n${l.stdout}${l.stderr}`)
        .join("\n");
      await writeFile(process.env.PRA_LAB_TRANSCRIPT, text);
    }
  }
}, 300_000);

describe("a booted standby in the stand-in cloud, driven by the lab engine", () => {
  let nightTitle: string;
  let nightPostId: number;
  let floatingIp: string;
  let failedOver: Record<string, unknown> | undefined;
  /** The nightly's outputs: the key and the known_hosts line stay the same for every server. */
  let lastOutputs: Record<string, unknown> = {};

  it("the nightly sync boots the server on the image and the data volume, syncs the primary into it, then deletes it", async () => {
    nightTitle = `Synced into a booted standby ${Date.now()}`;
    nightPostId = await lab.primary.addPost(nightTitle, "body");
    const night = await up({ syncRun: "night-1" });
    floatingIp = String(night.outputs.floatingIp);
    lastOutputs = night.outputs;

    const point = JSON.parse(String(night.outputs.recoveryPoint)) as { run: string; tables: Record<string, unknown> };
    expect(point.run).toBe("night-1");
    expect(Object.keys(point.tables)).toContain("wp_posts");
    expect((await servers()).map((s) => s.status)).toEqual(["ACTIVE"]);
    expect((await volumes()).map((v) => v.status)).toEqual(["in-use"]);
    // The synced blog lives on the data volume, which the guest mounted by its serial.
    const onGuest = await sshStandby(
      night.outputs,
      `findmnt -no SOURCE /srv/pra && curl -sS --resolve ${lab.blogHost}:80:127.0.0.1 http://${lab.blogHost}/`,
    );
    expect(onGuest.stdout, onGuest.stderr).toMatch(/^\/dev\/vdb\n/);
    expect(onGuest.stdout).toContain(nightTitle);
    // A syncing standby is no public twin: the security group drops the web ports.
    expect((await curlBlog(floatingIp)).code).toBe(28);

    // The day's run: no sync. (Its recoveryPoint export is not checked: the engine keeps it through the
    // keeper command's ignoreChanges in its state, which the lab engine does not imitate for commands.)
    await up({});
    await expectNoServerLeft();
    expect(provider.history.filter((h) => h.startsWith("delete "))).toEqual([
      "delete openstack:networking/floatingIpAssociate:FloatingIpAssociate pra-standby-fip-assoc",
      "delete openstack:compute/instance:Instance pra-standby-server",
    ]);
  }, 900_000);

  it("a night that fails mid-sync leaves the last good copy serving on the server it left; the next run deletes that server", async () => {
    expect(floatingIp, "needs the nightly scenario's stack").toBeTruthy();
    // The files reached the standby's staging copy, then the step failed: as a job killed mid-sync leaves it.
    const failed = withPrimaryFault("push-files:after-rsync", () => up({ syncRun: "night-2" }));
    await expect(failed).rejects.toThrow(/pra-files|push-files|fault/);
    expect((await servers()).map((s) => s.status)).toEqual(["ACTIVE"]);
    const onGuest = await sshStandby(
      { ...lastOutputs, floatingIp },
      `readlink /srv/pra/current && curl -sS --resolve ${lab.blogHost}:80:127.0.0.1 http://${lab.blogHost}/`,
    );
    expect(onGuest.stdout, onGuest.stderr).toMatch(/^generations\/night-1\n/);
    expect(onGuest.stdout).toContain(nightTitle);

    // The next run (the nightly job's clean-up of what a killed run left) removes the server.
    await up({});
    await expectNoServerLeft();
  }, 900_000);

  it("a live drill boots on the newest recovery point and checks it with the web closed; its teardown leaves no server", async () => {
    expect(floatingIp, "needs the nightly scenario's stack").toBeTruthy();
    const drill = await up({ drillRun: "drill-1" });
    expect((await servers()).map((s) => s.status)).toEqual(["ACTIVE"]);
    // The program's own check inside the standby found the newest post of the recovery point.
    expect(String(drill.outputs.standbyCheck)).toMatch(
      new RegExp(`^newest-post ${nightPostId}\nrecovery-points night-1\n`),
    );
    // A drill is no public twin: nobody outside reaches its web ports.
    expect((await curlBlog(floatingIp)).code).not.toBe(0);
    await up({});
    await expectNoServerLeft();
  }, 900_000);

  it("failover boots the same image on the same volume: WordPress answers for the blog on the floating IP, web open only now", async () => {
    expect(floatingIp, "needs the nightly scenario's stack").toBeTruthy();
    const failover = await up({ praActive: "true" });
    expect(failover.outputs.floatingIp).toBe(floatingIp);
    expect((await servers()).map((s) => s.status)).toEqual(["ACTIVE"]);
    const page = await curlBlog(floatingIp);
    expect(page.stdout, page.stderr).toContain(nightTitle);
    const status = await run(
      [
        "ip",
        "netns",
        "exec",
        OUTSIDE_NETNS,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--resolve",
        `${lab.blogHost}:80:${floatingIp}`,
        `http://${lab.blogHost}/`,
      ],
      { allowFail: true },
    );
    expect(status.stdout).toBe("200");
    failedOver = failover.outputs;
  }, 900_000);

  it("failback brings a change made on the failed-over standby home to the primary, from the outside, verified", async () => {
    const outputs = failedOver;
    if (!outputs) throw new Error("needs the failover scenario's server");
    const retitled = `${nightTitle} (edited during the failover)`;
    // As root on the guest, in the live generation's schema (what its wp-config.php names).
    const script = [
      "set -e",
      "schema=$(php /srv/pra/bin/pra-wpconfig.php /srv/pra/current/www/wp-config.php name)",
      `mariadb "$schema" -e "UPDATE wp_posts SET post_title='${retitled}' WHERE post_title='${nightTitle}'"`,
      "echo from-standby > /var/www/blog/wp-content/uploads/from-standby.txt",
    ].join("\n");
    const edit = await sshStandby(outputs, `echo ${Buffer.from(script).toString("base64")} | base64 -d | sudo bash`);
    expect(edit.code, edit.stderr).toBe(0);
    const back = await failbackFromOutside(outputs);
    expect(back.code, back.stderr).toBe(0);
    // The report lists what was added (the edit of an existing post comes back all the same, below).
    expect(back.stdout).toMatch(/upload +from-standby\.txt/);
    expect(back.stdout).toMatch(/database back on the primary \(\d+ tables verified\)/);
    expect(
      (await lab.primary.sql(`SELECT COUNT(*) FROM wp_posts WHERE post_title='${retitled}'`, "wordpress")).trim(),
    ).toBe("1");
    expect((await lab.primary.exec("cat /var/www/blog/wp-content/uploads/from-standby.txt")).stdout).toBe(
      "from-standby\n",
    );
    // No write may land on the standby any more: it answers 503 until the failover ends.
    expect((await curlBlog(floatingIp)).stdout).not.toContain(retitled);
  }, 900_000);

  it("an impostor on the floating IP (another host key) is refused before anything is sent", async () => {
    const outputs = failedOver;
    if (!outputs) throw new Error("needs the failover scenario's server");
    // The server now presents a host key other than the pinned one, as any other machine would there.
    const swap = await sshStandby(
      outputs,
      "sudo sh -c 'rm -f /etc/ssh/ssh_host_*key* && ssh-keygen -q -t ed25519 -N \"\" -f /etc/ssh/ssh_host_ed25519_key && systemctl restart ssh'",
    );
    expect(swap.code, swap.stderr).toBe(0);
    expect((await sshStandby(outputs, "true")).stderr).toContain("Host key verification failed");
    const logged = log.length;
    await expect(up({ praActive: "true" })).rejects.toThrow(/presents a host key that is not the pinned one/);
    // The refusal came from the first step; no command reached the standby.
    expect(log.slice(logged).map((l) => `${l.kind} ${l.name} ${l.code}`)).toEqual([
      expect.stringMatching(/^local pra-activation-ready [1-9]/),
    ]);
  }, 600_000);

  it("back to standby: the server is deleted, the volume kept, no guest left", async () => {
    expect(floatingIp, "needs the nightly scenario's stack").toBeTruthy();
    await up({});
    await expectNoServerLeft();
    expect((await curlBlog(floatingIp)).code).not.toBe(0);
    expect(cloud.unknownCalls).toEqual([]);
  }, 900_000);
});
