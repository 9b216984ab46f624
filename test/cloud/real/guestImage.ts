import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { waitForLock } from "../../../sync/runner/lock";
import { run } from "../../lab/proc";

const GUEST_DIR = resolve(__dirname, "../guest");
const PACKAGES = join(GUEST_DIR, "packages.txt");
const BUILDER = join(GUEST_DIR, "build-image.sh");

export interface GuestImage {
  /** ext4 root filesystem, labelled pra-root (the Glance image's file). */
  rootImage: string;
  kernel: string;
  initrd: string;
  sizeBytes: number;
}

/** Where built images are kept, outside the repository: PRA_CLOUD_CACHE or ~/.cache/pra-cloud. */
export function cacheDir(): string {
  return process.env.PRA_CLOUD_CACHE ?? join(homedir(), ".cache", "pra-cloud");
}

/** The cache key: the package list and the build script; any change to either builds a new image. */
export function imageKey(): string {
  return createHash("sha256").update(readFileSync(PACKAGES)).update(readFileSync(BUILDER)).digest("hex").slice(0, 16);
}

/**
 * The guest image, built once with debootstrap from Debian's mirror (minutes, `nice -n 10`) and reused by
 * every later run with the same key. Concurrent runs wait for one build.
 */
export async function guestImage(log: (line: string) => void = () => {}): Promise<GuestImage> {
  const dir = join(cacheDir(), `guest-${imageKey()}`);
  const image = (): GuestImage => ({
    rootImage: join(dir, "root.img"),
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.img"),
    sizeBytes: statSync(join(dir, "root.img")).size,
  });
  if (existsSync(join(dir, "complete"))) return image();
  mkdirSync(cacheDir(), { recursive: true });
  const lock = await waitForLock(`${dir}.lock`, { what: "a guest image build", waitMs: 60 * 60_000 });
  try {
    if (existsSync(join(dir, "complete"))) return image();
    log(`building the guest image ${dir} with debootstrap (once; takes minutes)`);
    await run(
      ["nice", "-n", "10", BUILDER, PACKAGES, dir, process.env.PRA_DEBIAN_MIRROR ?? "http://deb.debian.org/debian"],
      {
        timeoutMs: 60 * 60_000,
        label: "build-image.sh",
      },
    );
    return image();
  } finally {
    lock.release();
  }
}
