import { spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { isRunning } from "../../lab/netns";
import { run, sleep, waitUntil } from "../../lab/proc";
import { CLOUD_NETNS } from "./cloudNet";

export interface GuestSpec {
  dir: string;
  vcpus: number;
  ramMb: number;
  kernel: string;
  initrd: string;
  /** The server's local disk: a copy-on-write overlay of the image. */
  bootDisk: string;
  configDrive: string;
  nics: { tap: string; mac: string }[];
  /** Attached volumes: their disk files and the serial Nova gives them (the volume id's first 20 characters). */
  volumes: { file: string; serial: string }[];
}

/**
 * How the guest's CPU is emulated: TCG by default, because /dev/kvm on our machines is a paravirtual
 * variant that hangs a normal guest; PRA_CLOUD_ACCEL=kvm where KVM works.
 */
export function accel(): string {
  return process.env.PRA_CLOUD_ACCEL ?? "tcg";
}

/** One guest: a qemu-system-x86_64 process in the cloud's namespace, its serial console in console.log. */
export class Guest {
  private pid: number | undefined;

  constructor(readonly spec: GuestSpec) {}

  get console(): string {
    return join(this.spec.dir, "console.log");
  }

  private get monitor(): string {
    return join(this.spec.dir, "qmp.sock");
  }

  static async createBootDisk(image: string, overlay: string): Promise<void> {
    await run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", image, overlay]);
  }

  /** Starts qemu; resolves once the hypervisor runs the guest (Nova's ACTIVE), not once it has booted. */
  async start(): Promise<void> {
    const s = this.spec;
    const args = [
      "netns",
      "exec",
      CLOUD_NETNS,
      "nice",
      "-n",
      "10",
      "qemu-system-x86_64",
      "-name",
      s.dir,
      "-accel",
      accel(),
      "-cpu",
      accel() === "tcg" ? "max" : "host",
      "-smp",
      String(s.vcpus),
      "-m",
      String(s.ramMb),
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-serial",
      `file:${this.console}`,
      "-qmp",
      `unix:${this.monitor},server=on,wait=off`,
      "-kernel",
      s.kernel,
      "-initrd",
      s.initrd,
      "-append",
      "root=LABEL=pra-root ro console=ttyS0 net.ifnames=1",
      // Explicit devices in Nova's order: the local disk is vda, then the volumes (-drive if=virtio would
      // be enumerated after them).
      "-drive",
      `file=${s.bootDisk},format=qcow2,if=none,id=disk0`,
      "-device",
      "virtio-blk-pci,drive=disk0",
      "-drive",
      `file=${s.configDrive},format=raw,media=cdrom,readonly=on`,
    ];
    s.nics.forEach((n, i) => {
      args.push("-netdev", `tap,id=net${i},ifname=${n.tap},script=no,downscript=no`);
      args.push("-device", `virtio-net-pci,netdev=net${i},mac=${n.mac}`);
    });
    s.volumes.forEach((v, i) => {
      args.push("-drive", `file=${v.file},format=raw,if=none,id=vol${i}`);
      args.push("-device", `virtio-blk-pci,drive=vol${i},serial=${v.serial}`);
    });
    const log = openSync(join(s.dir, "qemu.log"), "a");
    const child = spawn("ip", args, { stdio: ["ignore", log, log], detached: true });
    child.unref();
    this.pid = child.pid;
    await waitUntil(
      async () => {
        if (this.pid === undefined || !isRunning(this.pid))
          throw new Error(`qemu exited at once; see ${join(s.dir, "qemu.log")}`);
        return existsSync(this.monitor);
      },
      30_000,
      "qemu's monitor",
    );
  }

  running(): boolean {
    return this.pid !== undefined && isRunning(this.pid);
  }

  /**
   * ACPI power button, as Nova's os-stop; a guest still running after Nova's default 60 s shutdown timeout
   * is destroyed. Returns how it went, for the cloud's log.
   */
  async powerDown(timeoutMs = 60_000): Promise<"off" | "destroyed"> {
    if (!this.running()) return "off";
    await this.monitorCommand("system_powerdown");
    const deadline = Date.now() + timeoutMs;
    while (this.running() && Date.now() < deadline) await sleep(200);
    const off = !this.running();
    await this.kill();
    return off ? "off" : "destroyed";
  }

  /**
   * One QMP command on qemu's monitor socket: after the greeting, qmp_capabilities, then the command; resolves
   * on qemu's answer to it, so the command was taken before the shutdown timeout starts.
   */
  private monitorCommand(command: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sock = connect(this.monitor);
      let buffered = "";
      let answers = 0;
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`qemu's monitor did not answer ${command} within 30 s`));
      }, 30_000);
      sock.on("data", (chunk) => {
        buffered += chunk.toString("utf8");
        let newline = buffered.indexOf("\n");
        while (newline >= 0) {
          const message = JSON.parse(buffered.slice(0, newline)) as {
            QMP?: unknown;
            return?: unknown;
            error?: { desc: string };
          };
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf("\n");
          if (message.error) {
            clearTimeout(timer);
            sock.destroy();
            reject(new Error(`qemu refused ${command}: ${message.error.desc}`));
          } else if (message.QMP) sock.write(`${JSON.stringify({ execute: "qmp_capabilities" })}\n`);
          else if (message.return !== undefined && ++answers === 1)
            sock.write(`${JSON.stringify({ execute: command })}\n`);
          else if (message.return !== undefined) {
            clearTimeout(timer);
            sock.end();
            resolve();
          }
        }
      });
      sock.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    while (isRunning(pid)) await sleep(50);
    this.pid = undefined;
  }
}
