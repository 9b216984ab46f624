import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import type { ResourceHook } from "../harness";
import { type Client, pollUntil } from "./client";

/**
 * NOT the `openstack` provider: a stand-in that imitates it, for the runs the real engine cannot make yet
 * (the whole program needs the language host and the command/tls plugins the Go module proxy refuses, see
 * test/toolchain/). The real provider (PRA's bridge build) runs the program's openstack components against
 * the same cloud in test/engine/standInCloud.test.ts; what it showed this imitation lacked is listed below.
 * Under the lab engine's
 * Pulumi mocks it makes the calls the provider makes for this program against the stand-in cloud's API, and
 * waits as it waits (Cinder creating→available, Nova BUILD→ACTIVE, stop→SHUTOFF→gone on delete). It also
 * plays the part of the engine's state between runs: a resource registered again with the same inputs is
 * left alone, one with other inputs is replaced (deleted first: the program asks deleteBeforeReplace of
 * everything replaceable), and one no longer registered is deleted after the run, newest first.
 *
 * Differences from the real provider and engine that this knowingly has:
 * - invokes (getImage, getNetwork) filter on the name only; the provider also applies mostRecent, tags, …;
 * - no refresh: a resource changed or deleted behind its back is not noticed;
 * - replacement is decided on a plain comparison of all inputs, not on the provider's ForceNew schema, and
 *   ignoreChanges is not honoured (the tests never change the volume's inputs);
 * - `protect` is checked only against a replacement or deletion here, `retainOnDelete` just forgets;
 * - a failed create leaves nothing in the state (the provider may record a tainted server);
 * - command resources are not part of this state: the lab engine runs every command on every run, and their
 *   `delete` commands never run (the program's only one, the DNS hook's, is not configured in these tests),
 *   and their `ignoreChanges` is not honoured: the recovery point's keeper exports "" in a run without a
 *   sync, where the engine keeps the stored record.
 * What the real provider does that this does not (seen against the stand-in by standInCloud.test.ts):
 * - it logs in again in every run (one Keystone token per provider process), at its first call, not when
 *   configured (delayed auth): a preview of resources alone never reaches the cloud;
 * - getImage lists `images?name=…&sort=name:asc&status=active` and picks the newest itself (mostRecent);
 * - the floating IP's pool is looked up by name (`networks?name=`) at create and by id when read;
 * - every create is followed by a read (GET of the new resource), rules and ports included, and every delete
 *   of a rule, port, group or floating IP by a GET until 404;
 * - the server's create first resolves the flavor from `flavors/detail`, the port and its network
 *   (`ports?id=`, `networks?id=…&status=ACTIVE`); its POST carries `imageRef` beside the block devices,
 *   `config_drive: false` and the port's network `uuid` beside `port`; after ACTIVE it reads the flavor, the
 *   image and the server's tags (microversion 2.26), never os-volume_attachments or os-interface;
 * - the volume's POST has no volume_type or availability_zone when unset, and no microversion header.
 * Its order going back to standby is this one's: the floating IP freed, then os-stop, then the delete.
 */
export interface StateEntry {
  type: string;
  id: string;
  inputs: string;
  outputs: Record<string, unknown>;
  protect: boolean;
}

const PROTECTED = new Set([
  "openstack:blockstorage/volume:Volume",
  "openstack:networking/floatingIp:FloatingIp",
  "openstack:images/image:Image",
]);

export class StandInProvider {
  /** The engine's state: resources by name, in the order they were created. */
  readonly state = new Map<string, StateEntry>();
  private registered = new Set<string>();
  /** Every create, replace and delete, `verb type name`, in order (for the tests to read). */
  readonly history: string[] = [];

  constructor(private readonly api: Client) {}

  /** Hooks for the lab engine's mocks: one per openstack resource type the program declares. */
  hooks(): Record<string, ResourceHook> {
    const hook =
      (create: (inputs: Record<string, unknown>) => Promise<{ id: string; outputs?: Record<string, unknown> }>) =>
      async (args: MockResourceArgs, inputs: Record<string, unknown>) =>
        this.apply(args, inputs, create);
    return {
      "openstack:networking/secGroup:SecGroup": hook((i) => this.createSecGroup(i)),
      "openstack:networking/secGroupRule:SecGroupRule": hook((i) => this.createRule(i)),
      "openstack:networking/port:Port": hook((i) => this.createPort(i)),
      "openstack:networking/floatingIp:FloatingIp": hook((i) => this.createFloatingIp(i)),
      "openstack:blockstorage/volume:Volume": hook((i) => this.createVolume(i)),
      "openstack:compute/instance:Instance": hook((i) => this.createServer(i)),
      "openstack:networking/floatingIpAssociate:FloatingIpAssociate": hook((i) => this.associate(i)),
    };
  }

  /** Invokes the program makes, answered from the cloud's API. */
  calls(): Record<string, (inputs: Record<string, unknown>) => Promise<Record<string, unknown>>> {
    return {
      "openstack:images/getImage:getImage": async (inputs) => {
        const r = await this.ok("GET", `${this.api.glance}/images?name=${encodeURIComponent(String(inputs.name))}`);
        const image = r.images[0];
        if (!image) throw new Error(`Your query returned no results (image ${String(inputs.name)})`);
        return { id: image.id, name: image.name, sizeBytes: image.size };
      },
      "openstack:networking/getNetwork:getNetwork": async (inputs) => {
        const network = await this.networkNamed(String(inputs.name));
        return { id: network.id, name: network.name };
      },
    };
  }

  /** Call before each run: the engine compares what the program registers with its state. */
  beginRun(): void {
    this.registered = new Set();
  }

  /** After a successful run: deletes what the program no longer declares, newest first (dependents first). */
  async endRun(): Promise<void> {
    const gone = [...this.state.keys()].filter((name) => !this.registered.has(name)).reverse();
    for (const name of gone) await this.delete(name);
  }

  private async apply(
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
    create: (inputs: Record<string, unknown>) => Promise<{ id: string; outputs?: Record<string, unknown> }>,
  ): Promise<Record<string, unknown>> {
    this.registered.add(args.name);
    const wanted = JSON.stringify(inputs);
    const old = this.state.get(args.name);
    if (old && old.inputs === wanted) return { ...old.outputs, id: old.id };
    if (old) {
      this.history.push(`replace ${args.type} ${args.name}`);
      await this.delete(args.name);
    }
    const made = await create(inputs);
    const outputs = { ...made.outputs, id: made.id };
    this.state.set(args.name, {
      type: args.type,
      id: made.id,
      inputs: wanted,
      outputs,
      protect: PROTECTED.has(args.type),
    });
    this.history.push(`create ${args.type} ${args.name}`);
    return outputs;
  }

  private async delete(name: string): Promise<void> {
    const entry = this.state.get(name);
    if (!entry) return;
    if (entry.protect)
      throw new Error(`${name}: resource is protected; the stand-in, like the engine, refuses to delete or replace it`);
    switch (entry.type) {
      case "openstack:compute/instance:Instance":
        await this.deleteServer(entry.id);
        break;
      case "openstack:networking/floatingIpAssociate:FloatingIpAssociate":
        await this.ok("PUT", `${this.api.neutron}/floatingips/${entry.id}`, { floatingip: { port_id: null } });
        break;
      case "openstack:networking/secGroupRule:SecGroupRule":
        await this.ok("DELETE", `${this.api.neutron}/security-group-rules/${entry.id}`);
        break;
      case "openstack:networking/port:Port":
        await this.ok("DELETE", `${this.api.neutron}/ports/${entry.id}`);
        break;
      case "openstack:networking/secGroup:SecGroup":
        await this.ok("DELETE", `${this.api.neutron}/security-groups/${entry.id}`);
        break;
      default:
        throw new Error(`${name}: the stand-in provider cannot delete a ${entry.type}`);
    }
    this.state.delete(name);
    this.history.push(`delete ${entry.type} ${name}`);
  }

  // biome-ignore lint/suspicious/noExplicitAny: OpenStack's JSON bodies, read field by field.
  private async ok(method: string, url: string, body?: unknown): Promise<any> {
    const r = await this.api.call(method, url, body);
    if (r.status >= 300)
      throw new Error(`stand-in cloud: ${method} ${url} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  private async networkNamed(name: string) {
    const found = (await this.ok("GET", `${this.api.neutron}/networks?name=${encodeURIComponent(name)}`)).networks;
    if (found.length !== 1) throw new Error(`Your query returned ${found.length} results (network ${name})`);
    return found[0] as { id: string; name: string };
  }

  private async createSecGroup(i: Record<string, unknown>) {
    const r = await this.ok("POST", `${this.api.neutron}/security-groups`, {
      security_group: { name: i.name, description: i.description },
    });
    return { id: r.security_group.id as string };
  }

  private async createRule(i: Record<string, unknown>) {
    const r = await this.ok("POST", `${this.api.neutron}/security-group-rules`, {
      security_group_rule: {
        security_group_id: i.securityGroupId,
        description: i.description,
        direction: i.direction,
        ethertype: i.ethertype,
        protocol: i.protocol,
        port_range_min: i.portRangeMin,
        port_range_max: i.portRangeMax,
        remote_ip_prefix: i.remoteIpPrefix,
      },
    });
    return { id: r.security_group_rule.id as string };
  }

  private async createPort(i: Record<string, unknown>) {
    const r = await this.ok("POST", `${this.api.neutron}/ports`, {
      port: {
        name: i.name,
        network_id: i.networkId,
        admin_state_up: i.adminStateUp,
        security_groups: i.securityGroupIds,
      },
    });
    return {
      id: r.port.id as string,
      outputs: { allFixedIps: r.port.fixed_ips.map((f: { ip_address: string }) => f.ip_address) },
    };
  }

  private async createFloatingIp(i: Record<string, unknown>) {
    const pool = await this.networkNamed(String(i.pool));
    const r = await this.ok("POST", `${this.api.neutron}/floatingips`, {
      floatingip: { floating_network_id: pool.id, description: i.description },
    });
    return { id: r.floatingip.id as string, outputs: { address: r.floatingip.floating_ip_address } };
  }

  private async createVolume(i: Record<string, unknown>) {
    const r = await this.ok("POST", `${this.api.cinder}/volumes`, {
      volume: { size: i.size, name: i.name, description: i.description },
    });
    const id = r.volume.id as string;
    await pollUntil(async () => (await this.ok("GET", `${this.api.cinder}/volumes/${id}`)).volume.status, "available");
    return { id };
  }

  private async createServer(i: Record<string, unknown>) {
    const flavors = (await this.ok("GET", `${this.api.nova}/flavors/detail`)).flavors as { id: string; name: string }[];
    const flavor = flavors.find((f) => f.name === i.flavorName);
    if (!flavor) throw new Error(`Unable to find flavor with name ${String(i.flavorName)}`);
    const devices = i.blockDevices as Record<string, unknown>[];
    const r = await this.ok("POST", `${this.api.nova}/servers`, {
      server: {
        name: i.name,
        flavorRef: flavor.id,
        // The real provider sends the image as imageRef too, beside the block device that boots it.
        imageRef: i.imageId,
        networks: (i.networks as { port: string }[]).map((n) => ({ port: n.port })),
        user_data: Buffer.from(String(i.userData)).toString("base64"),
        metadata: i.metadata,
        block_device_mapping_v2: devices.map((d) => ({
          uuid: d.uuid,
          source_type: d.sourceType,
          destination_type: d.destinationType,
          boot_index: d.bootIndex,
          delete_on_termination: d.deleteOnTermination,
        })),
      },
    });
    const id = r.server.id as string;
    // The provider's create timeout is 30 minutes; a TCG boot reaches ACTIVE in seconds, the guest later.
    await pollUntil(
      async () => (await this.ok("GET", `${this.api.nova}/servers/${id}`)).server.status,
      "ACTIVE",
      600_000,
    );
    return { id };
  }

  /** stopBeforeDestroy: os-stop and wait for SHUTOFF, then delete and wait until Nova no longer knows it. */
  private async deleteServer(id: string) {
    await this.ok("POST", `${this.api.nova}/servers/${id}/action`, { "os-stop": null });
    await pollUntil(
      async () => (await this.ok("GET", `${this.api.nova}/servers/${id}`)).server.status,
      "SHUTOFF",
      300_000,
    );
    await this.ok("DELETE", `${this.api.nova}/servers/${id}`);
    await pollUntil(
      async () => {
        const r = await this.api.call("GET", `${this.api.nova}/servers/${id}`);
        return r.status === 404 ? "gone" : r.body.server.status;
      },
      "gone",
      300_000,
    );
  }

  /** The provider finds the floating IP by its address, then sets its port. */
  private async associate(i: Record<string, unknown>) {
    const found = (
      await this.ok(
        "GET",
        `${this.api.neutron}/floatingips?floating_ip_address=${encodeURIComponent(String(i.floatingIp))}`,
      )
    ).floatingips as { id: string }[];
    if (found.length !== 1) throw new Error(`floating IP ${String(i.floatingIp)} not found`);
    await this.ok("PUT", `${this.api.neutron}/floatingips/${found[0].id}`, { floatingip: { port_id: i.portId } });
    return { id: found[0].id };
  }
}
