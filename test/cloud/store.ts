import { randomBytes, randomUUID } from "node:crypto";

/** The one project and user the stand-in knows; the provider logs in as them. */
export const PROJECT = { id: "6f2b7c0e4a8d4f4c9c1d2e3f4a5b6c7d", name: "pra-test", domainId: "default" };
export const USER = { id: "0a1b2c3d4e5f40718293a4b5c6d7e8f9", name: "pra-test" };

/** What the status of a deleted resource moves to: the next read answers 404 and the record goes. */
export const GONE = "(gone)";

/**
 * A status that moves the way OpenStack's do: the transitional one stays visible until the real work behind
 * it (a VM starting, a disk file written) is done AND a client has seen it at least once, so the provider's
 * polling loop always runs. No timer decides when it moves.
 */
export class MovingStatus {
  private seen = false;
  private done = false;
  constructor(
    private current: string,
    private next?: string,
  ) {}

  /** Starts the move to `next` once `work` settles; a failed work leaves the error status instead. */
  moveAfter(work: Promise<unknown>, next: string, onError = "error"): void {
    this.next = next;
    this.seen = false;
    this.done = false;
    work.then(
      () => {
        this.done = true;
      },
      (e) => {
        console.error(`stand-in cloud: ${this.current} → ${next} failed:`, e);
        this.current = onError;
        this.next = undefined;
      },
    );
  }

  /** What a client sees now (a read counts as seeing it). */
  read(): string {
    if (this.next !== undefined && this.done && this.seen) {
      this.current = this.next;
      this.next = undefined;
    }
    this.seen = true;
    return this.current;
  }

  /** The status without counting as a client's read (for the cloud's own checks). */
  peek(): string {
    return this.current;
  }

  set(status: string): void {
    this.current = status;
    this.next = undefined;
  }
}

export interface Network {
  id: string;
  name: string;
  external: boolean;
  cidr: string;
  gateway: string;
  subnetId: string;
  /** Addresses handed out so far (fixed IPs or floating IPs), by host number. */
  nextHost: number;
}

export interface SecurityGroupRule {
  id: string;
  security_group_id: string;
  direction: "ingress" | "egress";
  ethertype: "IPv4" | "IPv6";
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  description: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
  tenant_id: string;
  project_id: string;
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  created_at: string;
}

export interface Port {
  id: string;
  name: string;
  networkId: string;
  mac: string;
  fixedIp: string;
  securityGroupIds: string[];
  adminStateUp: boolean;
  /** The server the port is bound to, if any. */
  deviceId: string;
  created_at: string;
}

export interface FloatingIp {
  id: string;
  networkId: string;
  address: string;
  description: string;
  portId: string | null;
  created_at: string;
}

export interface Volume {
  id: string;
  name: string;
  description: string;
  size: number;
  volumeType: string;
  availabilityZone: string;
  status: MovingStatus;
  /** The server it is attached to (Nova's block_device_mapping_v2 at boot). */
  serverId: string | null;
  attachmentId: string | null;
  device: string | null;
  created_at: string;
}

export interface Image {
  id: string;
  name: string;
  size: number;
  diskFormat: string;
  containerFormat: string;
  visibility: string;
  created_at: string;
  /** Where the stand-in keeps the image's disk file. */
  file: string;
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

export interface BlockDevice {
  source_type: string;
  destination_type: string;
  uuid: string;
  boot_index: number | null;
  delete_on_termination: boolean;
  volume_size?: number;
}

export interface Server {
  id: string;
  name: string;
  flavorId: string;
  imageId: string;
  portIds: string[];
  blockDevices: BlockDevice[];
  userData: string | null;
  metadata: Record<string, string>;
  availabilityZone: string;
  status: MovingStatus;
  /** Nova's OS-EXT-STS:task_state while an action is under way. */
  taskState: string | null;
  created_at: string;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** Everything the stand-in cloud holds, in memory. */
export class Store {
  readonly networks = new Map<string, Network>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly securityGroupRules = new Map<string, SecurityGroupRule>();
  readonly ports = new Map<string, Port>();
  readonly floatingIps = new Map<string, FloatingIp>();
  readonly volumes = new Map<string, Volume>();
  readonly images = new Map<string, Image>();
  readonly flavors = new Map<string, Flavor>();
  readonly servers = new Map<string, Server>();
  readonly tokens = new Map<string, { expiresAt: Date }>();
  /** The user's password, fresh for every cloud: tests hand it to the provider like an openrc would. */
  readonly password = randomBytes(16).toString("hex");

  now = now;
  newId = (): string => randomUUID();

  addNetwork(n: Omit<Network, "id" | "subnetId" | "nextHost">): Network {
    const network = { ...n, id: this.newId(), subnetId: this.newId(), nextHost: 10 };
    this.networks.set(network.id, network);
    return network;
  }

  /** The next free address of a /24 network (the stand-in's networks are all /24). */
  allocateAddress(network: Network): string {
    const base = network.cidr.split("/")[0].split(".").slice(0, 3).join(".");
    if (network.nextHost > 254) throw new Error(`network ${network.name} has no free address left`);
    return `${base}.${network.nextHost++}`;
  }

  networkByName(name: string): Network | undefined {
    return [...this.networks.values()].find((n) => n.name === name);
  }

  /** A MAC in the locally administered fa:16:3e range Neutron uses. */
  newMac(): string {
    const b = () =>
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, "0");
    return `fa:16:3e:${b()}:${b()}:${b()}`;
  }
}
