import type { FloatingIp, Port, Server, Store, Volume } from "./store";

/**
 * What the cloud really does behind its API. The API-only tests use `noEffects`; the booted tests use the
 * real ones (qemu guests, disk files, NAT and filtering in the cloud's network namespace). Every promise
 * settles when the work is really done: the API's statuses move only then.
 */
export interface CloudEffects {
  createVolume(volume: Volume): Promise<void>;
  deleteVolume(volume: Volume): Promise<void>;
  /** Grows the volume to its (already updated) size. */
  extendVolume(volume: Volume): Promise<void>;
  /** Starts the server's VM with its ports, boot image, attached volumes and user data. */
  bootServer(server: Server, store: Store): Promise<void>;
  /** Shuts the guest down (ACPI, as Nova's os-stop does) and waits for it to be off. */
  stopServer(server: Server): Promise<void>;
  startServer(server: Server, store: Store): Promise<void>;
  /** Removes the VM and its local disk. */
  deleteServer(server: Server): Promise<void>;
  /** The floating IP now points at `port` (or nowhere): NAT follows. */
  floatingIpChanged(fip: FloatingIp, port: Port | undefined, store: Store): Promise<void>;
  /** Any security group, rule or port binding changed: the filter is rebuilt from the store. */
  securityChanged(store: Store): Promise<void>;
  close(): Promise<void>;
}

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The API alone: every piece of work is done at once (statuses still move, and still only after a read). */
export const noEffects: CloudEffects = {
  createVolume: settled,
  deleteVolume: settled,
  extendVolume: settled,
  bootServer: settled,
  stopServer: settled,
  startServer: settled,
  deleteServer: settled,
  floatingIpChanged: settled,
  securityChanged: settled,
  close: settled,
};
