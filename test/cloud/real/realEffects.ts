import { mkdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CloudEffects } from "../effects";
import type { FloatingIp, Port, Server, Store, Volume } from "../store";
import { addTap, applyRuleset, removeTap, setFloatingAddress } from "./cloudNet";
import { buildConfigDrive } from "./configDrive";
import { renderRuleset, tapName } from "./firewall";
import type { GuestImage } from "./guestImage";
import { Guest } from "./vm";

/** Nova's volume serial: the first 20 characters of the Cinder volume id (virtio-blk's serial limit). */
export function volumeSerial(volumeId: string): string {
  return volumeId.slice(0, 20);
}

/**
 * The cloud's real work: volumes are sparse disk files, servers are qemu guests booted from a copy-on-write
 * overlay of the image with a config drive, their ports are taps in the cloud's namespace, floating IPs and
 * security groups are nftables rules there. Everything lives under `dir` and in the cloud's namespaces.
 */
export class RealEffects implements CloudEffects {
  private readonly guests = new Map<string, Guest>();
  /** How each server's last os-stop went: the guest shut itself down, or was destroyed after the timeout. */
  readonly stops = new Map<string, "off" | "destroyed">();

  constructor(
    private readonly dir: string,
    private readonly image: GuestImage,
    private readonly tenantGateway: string,
  ) {}

  volumeFile(volumeId: string): string {
    return join(this.dir, "volumes", `${volumeId}.raw`);
  }

  serverDir(serverId: string): string {
    return join(this.dir, "servers", serverId);
  }

  guest(serverId: string): Guest | undefined {
    return this.guests.get(serverId);
  }

  async createVolume(volume: Volume): Promise<void> {
    await mkdir(join(this.dir, "volumes"), { recursive: true });
    await writeFile(this.volumeFile(volume.id), "");
    await truncate(this.volumeFile(volume.id), volume.size * 1024 ** 3);
  }

  /** The file grows; a running guest is not told (Nova's volume-extended event to qemu is not modelled). */
  async extendVolume(volume: Volume): Promise<void> {
    await truncate(this.volumeFile(volume.id), volume.size * 1024 ** 3);
  }

  async deleteVolume(volume: Volume): Promise<void> {
    await rm(this.volumeFile(volume.id), { force: true });
  }

  async bootServer(server: Server, store: Store): Promise<void> {
    const dir = this.serverDir(server.id);
    await mkdir(dir, { recursive: true });
    const flavor = store.flavors.get(server.flavorId);
    const image = store.images.get(server.imageId);
    if (!flavor || !image) throw new Error(`server ${server.id}: flavor or image is gone`);
    const bootDisk = join(dir, "disk.qcow2");
    await Guest.createBootDisk(image.file, bootDisk);
    const configDrive = join(dir, "config-drive.iso");
    await buildConfigDrive(server, store, join(dir, "config-drive"), configDrive);
    const nics: { tap: string; mac: string }[] = [];
    for (const portId of server.portIds) {
      const port = store.ports.get(portId);
      if (!port) throw new Error(`server ${server.id}: port ${portId} is gone`);
      await addTap(tapName(port.id), port.fixedIp, this.tenantGateway);
      nics.push({ tap: tapName(port.id), mac: port.mac });
    }
    await applyRuleset(renderRuleset(store));
    const volumes = server.blockDevices
      .filter((b) => b.source_type === "volume")
      .map((b) => ({ file: this.volumeFile(b.uuid), serial: volumeSerial(b.uuid) }));
    const guest = new Guest({
      dir,
      vcpus: flavor.vcpus,
      ramMb: flavor.ram,
      kernel: this.image.kernel,
      initrd: this.image.initrd,
      bootDisk,
      configDrive,
      nics,
      volumes,
    });
    this.guests.set(server.id, guest);
    await guest.start();
  }

  async stopServer(server: Server): Promise<void> {
    const guest = this.guests.get(server.id);
    if (!guest) return;
    const started = Date.now();
    const how = await guest.powerDown();
    this.stops.set(server.id, how);
    process.stderr.write(
      `stand-in cloud: server ${server.id} ${how} after ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }

  async startServer(server: Server): Promise<void> {
    const guest = this.guests.get(server.id);
    if (!guest) throw new Error(`server ${server.id} has no guest to start`);
    await guest.start();
  }

  async deleteServer(server: Server): Promise<void> {
    const guest = this.guests.get(server.id);
    // Nova's delete is a hard power-off (os-stop first is the client's choice, as stopBeforeDestroy does).
    await guest?.kill();
    this.guests.delete(server.id);
    for (const portId of server.portIds) await removeTap(tapName(portId));
    await rm(this.serverDir(server.id), { recursive: true, force: true });
  }

  async floatingIpChanged(fip: FloatingIp, port: Port | undefined, store: Store): Promise<void> {
    // The address answers only while its DNAT exists: rules before the address, the address before the rules.
    if (port) {
      await applyRuleset(renderRuleset(store));
      await setFloatingAddress(fip.address, true);
    } else {
      await setFloatingAddress(fip.address, false);
      await applyRuleset(renderRuleset(store));
    }
  }

  async securityChanged(store: Store): Promise<void> {
    await applyRuleset(renderRuleset(store));
  }

  async close(): Promise<void> {
    for (const guest of this.guests.values()) await guest.kill();
    this.guests.clear();
  }
}
