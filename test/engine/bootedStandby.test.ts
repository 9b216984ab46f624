import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standbyUserData } from "../../components/cloudConfig";
import { DataVolume } from "../../components/dataVolume";
import { StandbyImage } from "../../components/image";
import { StandbyNetwork } from "../../components/network";
import { StandbyInstance } from "../../components/standbyInstance";
import { knownHostsLine } from "../../sync/knownHosts";
import { DATA_MOUNT } from "../../sync/layout";
import { READY_CHECK } from "../../sync/runner/ready";
import { Client } from "../cloud/client";
import {
  ADMIN_ADDRESS,
  type BootedCloud,
  GUEST_IMAGE_NAME,
  STRANGER_ADDRESS,
  startBootedCloud,
} from "../cloud/real/bootedCloud";
import { CLOUD_NETNS } from "../cloud/real/cloudNet";
import { type StandbyAccess, sshFromOutside, webFromOutside } from "../cloud/real/outside";
import { volumeSerial } from "../cloud/real/realEffects";
import { type KeyPair, newEd25519Key } from "../lab/keys";
import { run, sleep } from "../lab/proc";
import { missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";

// The real engine and the bridged openstack plugin against the stand-in cloud WITH guests
// (test/cloud/real/: qemu TCG guests of the Debian 12 image, config drive, nftables security groups,
// floating-IP NAT): the program's own openstack components and PRA's real user data, rendered by
// components/cloudConfig.ts from keys this test makes, wired as index.ts wires them. What
// test/cloud/booted.test.ts does through test/cloud/standInProvider.ts (an imitation), here by the
// provider's own calls. One TCG boot (about 3 minutes to PRA-READY), under the cloud's lock.
const tc = toolchain();
const unavailable = missing(tc, "cli", "plugin-openstack");
if (unavailable) console.warn(`engine booted-standby tests skipped: ${unavailable}`);

type Mode = "standby" | "syncing" | "active";
// Pulumi.yaml's defaults for sshUser and hostKeyAlias.
const SSH_USER = "pra";
const HOST_KEY_ALIAS = "pra-standby";
const MARKER = "pra-engine-marker";

describe.skipIf(unavailable)("a booted standby, made by the real engine and openstack provider", () => {
  let cloud: BootedCloud;
  let api: Client;
  let e: EngineStack;
  let keysDir: string;
  let hostKey: KeyPair;
  let clientKey: KeyPair;
  let mode: Mode = "standby";
  const markerValue = `written while active ${Date.now()}`;

  beforeAll(async () => {
    keysDir = await mkdtemp(join(tmpdir(), "pra-engine-boot-keys-"));
    // What StandbyKeys' tls keys would be (the tls plugin is unobtainable): fresh ed25519 pairs, plain values.
    hostKey = await newEd25519Key(keysDir, "host");
    clientKey = await newEd25519Key(keysDir, "client");
    cloud = await startBootedCloud((line) => process.stderr.write(`${line}\n`));
    api = await Client.login(cloud);
    e = await engineStack(
      tc,
      "pra-engine-booted",
      async () => {
        // index.ts's wiring, the mode given directly instead of through config.ts.
        const image = new StandbyImage("pra-image", { source: { kind: "name", name: GUEST_IMAGE_NAME } });
        const volume = new DataVolume("pra-data", { sizeGb: 1 });
        const network = new StandbyNetwork("pra-net", {
          networkName: "pra-tenant",
          floatingIpPool: "public",
          adminCidrs: [`${ADMIN_ADDRESS}/32`],
          webOpen: mode === "active",
        });
        const userData = standbyUserData({
          hostKey,
          user: SSH_USER,
          authorizedKeys: [clientKey.publicKey],
          dataVolumeId: volume.volumeId,
        });
        const standby =
          mode !== "standby"
            ? new StandbyInstance("pra-standby", {
                imageId: image.imageId,
                volumeId: volume.volumeId,
                portId: network.portId,
                floatingIpAddress: network.floatingIpAddress,
                flavorName: "m1.small",
                userData,
              })
            : undefined;
        return {
          floatingIp: network.floatingIpAddress,
          knownHosts: network.floatingIpAddress.apply((address) =>
            knownHostsLine(HOST_KEY_ALIAS, address, hostKey.publicKey),
          ),
          hostKeyAlias: HOST_KEY_ALIAS,
          sshUser: SSH_USER,
          volumeId: volume.volumeId,
          instanceId: standby?.instanceId,
        };
      },
      cloud.openrc(),
    );
  }, 3_600_000);

  afterAll(async () => {
    await e?.dispose();
    await cloud?.close();
    if (keysDir) await rm(keysDir, { recursive: true, force: true });
  });

  /** The state file after every update: the user data is in it only while a server exists. */
  const states: { mode: Mode; text: string }[] = [];
  const up = async (to: Mode) => {
    mode = to;
    const result = await e.stack.up({ onOutput: e.onOutput });
    states.push({ mode, text: await e.stateText() });
    return result;
  };
  const list = async (service: string, path: string, key: string) =>
    (await api.call("GET", `${service}${path}`)).body[key] as Record<string, unknown>[];
  const guestProcesses = async () => (await run(["ip", "netns", "pids", CLOUD_NETNS])).stdout.trim();

  /** SSH access from what the stack exports, as a user would set it up from `pulumi stack output`. */
  async function access(): Promise<StandbyAccess> {
    const out = await e.stack.outputs();
    const knownHostsFile = join(keysDir, "known_hosts");
    await writeFile(knownHostsFile, `${String(out.knownHosts.value)}\n`);
    return {
      floatingIp: String(out.floatingIp.value),
      sshUser: String(out.sshUser.value),
      hostKeyAlias: String(out.hostKeyAlias.value),
      knownHostsFile,
      keyFile: join(keysDir, "client"),
    };
  }

  it("standby: the volume, security group, port and floating IP exist; no server, no guest", async () => {
    const result = await up("standby");
    expect(await list(api.nova, "/servers/detail", "servers")).toEqual([]);
    expect(await guestProcesses()).toBe("");
    const volumes = await list(api.cinder, "/volumes/detail", "volumes");
    expect(volumes.map((v) => [v.id, v.status])).toEqual([[result.outputs.volumeId.value, "available"]]);
    expect(cloud.unknownCalls).toEqual([]);
  }, 600_000);

  it("a server boots a real guest with the volume attached at boot; PRA's first boot mounts it by its serial", async () => {
    const result = await up("syncing");
    const instanceId = String(result.outputs.instanceId.value);
    const servers = await list(api.nova, "/servers/detail", "servers");
    expect(servers.map((s) => [s.id, s.status])).toEqual([[instanceId, "ACTIVE"]]);
    expect(cloud.effects.guest(instanceId)).toBeDefined();
    expect(await guestProcesses()).not.toBe("");
    const volumeId = String(result.outputs.volumeId.value);
    expect((await list(api.cinder, "/volumes/detail", "volumes")).map((v) => v.status)).toEqual(["in-use"]);

    // The program's own ready check, sent as sync/runner/ready.ts sends it, through the floating IP with the pin.
    const standby = await access();
    const ready = await waitReady(standby, instanceId);
    expect(ready.stdout).toContain("PRA-READY");
    const status = await sshFromOutside(standby, ADMIN_ADDRESS, "sudo cloud-init status --wait");
    expect(status.stdout).toMatch(/status: (done|error)/);
    const mounted = await sshFromOutside(
      standby,
      ADMIN_ADDRESS,
      `findmnt -no SOURCE,FSTYPE ${DATA_MOUNT}; readlink -f /dev/disk/by-id/virtio-${volumeSerial(volumeId)}`,
    );
    const [source, byId] = mounted.stdout.trim().split("\n");
    expect(source).toBe(`${byId} ext4`);
    expect(byId).toMatch(/^\/dev\/vd[b-z]$/);
    const written = await sshFromOutside(
      standby,
      ADMIN_ADDRESS,
      `echo '${markerValue}' | sudo tee ${DATA_MOUNT}/${MARKER} >/dev/null && sync`,
    );
    expect(written.code, written.stderr).toBe(0);
  }, 1_200_000);

  it("SSH from an address outside adminCidrs is dropped; the web ports too while webOpen is false", async () => {
    const standby = await access();
    await expectDropped(sshFromOutside(standby, STRANGER_ADDRESS, "true", 5));
    expect((await sshFromOutside(standby, ADMIN_ADDRESS, "true")).code).toBe(0);
    expect(await webFromOutside(standby.floatingIp, 80)).toBe("curl exit 28");
    expect(await webFromOutside(standby.floatingIp, 443)).toBe("curl exit 28");
  }, 120_000);

  it("active: webOpen adds the web rules to the same server and port 80 answers from outside", async () => {
    const before = await e.stack.outputs();
    const result = await up("active");
    expect(result.outputs.instanceId.value).toBe(before.instanceId.value);
    expect(result.summary.resourceChanges).not.toHaveProperty("delete");
    expect(result.summary.resourceChanges?.create).toBe(4);
    const standby = await access();
    expect(await webFromOutside(standby.floatingIp, 80)).toBe("200");
    // Let through now: the guest itself refuses (its Apache serves no TLS without the primary's certificate).
    expect(await webFromOutside(standby.floatingIp, 443)).toBe("curl exit 7");
    await expectDropped(sshFromOutside(standby, STRANGER_ADDRESS, "true", 5));
    expect(cloud.unknownCalls).toEqual([]);
  }, 600_000);

  it("back to standby: the provider stops the guest cleanly and deletes the server; the volume keeps what was written", async () => {
    const { instanceId, volumeId } = await e.stack.outputs();
    await up("standby");
    expect(await list(api.nova, "/servers/detail", "servers")).toEqual([]);
    // stopBeforeDestroy's os-stop shut the guest down by its ACPI power button, not by Nova's 60 s timeout.
    expect(cloud.effects.stops.get(String(instanceId.value))).toBe("off");
    expect(cloud.effects.guest(String(instanceId.value))).toBeUndefined();
    expect(await guestProcesses()).toBe("");
    const volumes = await list(api.cinder, "/volumes/detail", "volumes");
    expect(volumes.map((v) => [v.id, v.status])).toEqual([[volumeId.value, "available"]]);
    // Read from the volume's disk file without mounting it (debugfs opens it read-only).
    const read = await run(["debugfs", "-R", `cat /${MARKER}`, cloud.effects.volumeFile(String(volumeId.value))]);
    expect(read.stdout.trim()).toBe(markerValue);
    expect(cloud.unknownCalls).toEqual([]);
  }, 600_000);

  it("neither the host's private key in the user data nor the cloud's password reaches the state or the CLI's output", async () => {
    const password = cloud.openrc().OS_PASSWORD;
    // Each line of the key's body: the state keeps strings JSON-escaped, with \n for the newlines.
    const keyLines = hostKey.privateKey.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
    expect(keyLines.length).toBeGreaterThan(0);
    // While a server exists its user data is in the state, as the passphrase's ciphertext.
    const withServer = states.filter((s) => s.mode !== "standby");
    expect(withServer.length).toBeGreaterThan(0);
    for (const { text } of withServer) expect(text).toMatch(/"userData":\{[^}]*"ciphertext":"v1:/);
    for (const text of [...states.map((s) => s.text), e.output.join("")]) {
      expect(text).not.toContain(password);
      for (const line of keyLines) expect(text).not.toContain(line);
      expect(text).not.toContain("ed25519_private");
    }
  });

  /** The security group dropped the SYN: a timeout, not a refusal (which would mean it got through). */
  async function expectDropped(attempt: ReturnType<typeof sshFromOutside>) {
    const r = await attempt;
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/timed out/);
  }

  /**
   * The program's own ready check, sent as sync/runner/ready.ts sends it, through the floating IP with the
   * pin, until PRA-READY; a wrong host key or PRA-FAILED will not fix itself and fails at once.
   */
  async function waitReady(standby: StandbyAccess, instanceId: string) {
    let ready = await sshFromOutside(standby, ADMIN_ADDRESS, READY_CHECK);
    for (let i = 0; !ready.stdout.includes("PRA-READY") && i < 120; i++) {
      expect(ready.stderr).not.toMatch(/Host key verification failed|IDENTIFICATION HAS CHANGED/);
      expect(ready.stdout).not.toContain("PRA-FAILED");
      await sleep(5_000);
      ready = await sshFromOutside(standby, ADMIN_ADDRESS, READY_CHECK);
    }
    expect(ready.stdout, `${ready.stderr}\nconsole:\n${await consoleTail(instanceId)}`).toContain("PRA-READY");
    return ready;
  }

  async function consoleTail(serverId: string): Promise<string> {
    const r = await run(["tail", "-60", join(cloud.effects.serverDir(serverId), "console.log")], { allowFail: true });
    return r.code === 0 ? r.stdout : "(no console log)";
  }
});
