import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForLock } from "../../../sync/runner/lock";
import { DEFAULT_EXTERNAL, DEFAULT_TENANT, type StandInCloud, startCloud } from "../cloud";
import { createCloudNet, destroyCloudNet } from "./cloudNet";
import { guestImage } from "./guestImage";
import { RealEffects } from "./realEffects";

/** The guest image's name in the stand-in's Glance. */
export const GUEST_IMAGE_NAME = "debian-12-pra";
/** The admin's address outside (in adminCidrs) and a stranger's (not). */
export const ADMIN_ADDRESS = "10.233.0.2";
export const STRANGER_ADDRESS = "10.233.0.3";

export interface BootedCloud extends StandInCloud {
  effects: RealEffects;
  dir: string;
}

const LOCK_FILE = "/tmp/pra-cloud.lock";

/**
 * The stand-in cloud with real effects: one per machine (its namespaces have fixed names), so it takes
 * a lock and first removes whatever a crashed run left.
 */
export async function startBootedCloud(log: (line: string) => void = () => {}): Promise<BootedCloud> {
  const image = await guestImage(log);
  const lock = await waitForLock(LOCK_FILE, { what: "a stand-in cloud with guests", waitMs: 30 * 60_000 });
  try {
    await destroyCloudNet();
    await createCloudNet({
      tenantGateway: DEFAULT_TENANT.gateway,
      externalGateway: DEFAULT_EXTERNAL.gateway,
      outsideAddresses: [ADMIN_ADDRESS, STRANGER_ADDRESS],
      prefix: 24,
    });
    const dir = await mkdtemp(join(tmpdir(), "pra-cloud-"));
    const effects = new RealEffects(dir, image, DEFAULT_TENANT.gateway);
    const cloud = await startCloud({
      effects,
      images: [{ name: GUEST_IMAGE_NAME, file: image.rootImage, size: image.sizeBytes }],
      flavors: [{ name: "m1.small", vcpus: 1, ram: 1024, disk: 10 }],
    });
    return {
      ...cloud,
      effects,
      dir,
      close: async () => {
        // The namespaces and files go whatever the API's close reports (it rejects on unimplemented calls).
        try {
          await cloud.close();
        } finally {
          try {
            await destroyCloudNet();
            await rm(dir, { recursive: true, force: true });
          } finally {
            lock.release();
          }
        }
      },
    };
  } catch (e) {
    await destroyCloudNet();
    lock.release();
    throw e;
  }
}
