import { createHash } from "node:crypto";
import * as net from "node:net";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { STANDBY_SSH_PORT } from "../sync/connection";

export interface StandbyNetworkArgs {
  /** Tenant network the standby's port lives on. */
  networkName: string;
  /** External network floating IPs are allocated from. */
  floatingIpPool: string;
  /** CIDRs allowed to SSH in. */
  adminCidrs: string[];
  /**
   * One more address allowed to SSH in, for the length of one failover run from a machine outside
   * adminCidrs; its rule is gone with the next update that leaves it unset.
   */
  temporaryCidr?: string;
  /** Whether HTTP/HTTPS are open to everyone: only while failed over, so a syncing standby is no public twin. */
  webOpen: boolean;
}

const ethertype = (cidr: string) => (net.isIPv6(cidr.split("/")[0]) ? "IPv6" : "IPv4");

/**
 * Security group, port and floating IP: all permanent and identical in every mode, so DNS can point
 * at a stable address. Only the HTTP/HTTPS rules come and go with `webOpen`.
 */
export class StandbyNetwork extends pulumi.ComponentResource {
  /** The security group on the standby's port. */
  readonly securityGroupId: pulumi.Output<string>;
  /** The permanent port the instance boots on (it keeps its address across instances). */
  readonly portId: pulumi.Output<string>;
  /** The stable public address DNS points at during a failover. */
  readonly floatingIpAddress: pulumi.Output<string>;
  readonly floatingIpId: pulumi.Output<string>;
  /** The HTTP/HTTPS rules (empty unless webOpen): an outside check of the site must come after them. */
  readonly webRules: openstack.networking.SecGroupRule[] = [];

  constructor(name: string, args: StandbyNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:StandbyNetwork", name, {}, opts);
    const group = new openstack.networking.SecGroup(
      `${name}-secgroup`,
      { name: `${name}-secgroup`, description: "PRA standby: SSH from admins; web only while failed over" },
      { parent: this },
    );
    args.adminCidrs.forEach((cidr, i) => {
      new openstack.networking.SecGroupRule(
        // Keyed by the CIDR, not its position: reordering adminCidrs must not replace (and briefly drop) rules.
        `${name}-ssh-${cidrKey(cidr)}`,
        rule(group.id, cidr, STANDBY_SSH_PORT, `SSH from admin network ${cidr}`),
        // Stacks made before the rules were keyed by CIDR named them by position.
        { parent: this, deleteBeforeReplace: true, aliases: [{ name: `${name}-ssh-${i}` }] },
      );
    });
    // Neutron refuses a second rule identical to an admin one.
    if (args.temporaryCidr && !args.adminCidrs.includes(args.temporaryCidr)) {
      new openstack.networking.SecGroupRule(
        `${name}-ssh-runner`,
        rule(
          group.id,
          args.temporaryCidr,
          STANDBY_SSH_PORT,
          `SSH from the failover runner ${args.temporaryCidr} (temporary)`,
        ),
        { parent: this, deleteBeforeReplace: true },
      );
    }
    if (args.webOpen) {
      for (const [port, proto] of [
        [80, "http"],
        [443, "https"],
      ] as const) {
        for (const cidr of ["0.0.0.0/0", "::/0"]) {
          const webRule = new openstack.networking.SecGroupRule(
            `${name}-${proto}-${ethertype(cidr).toLowerCase()}`,
            rule(group.id, cidr, port, `${proto.toUpperCase()} while failed over`),
            { parent: this, deleteBeforeReplace: true },
          );
          this.webRules.push(webRule);
        }
      }
    }
    const network = openstack.networking.getNetworkOutput({ name: args.networkName }, { parent: this });
    const port = new openstack.networking.Port(
      `${name}-port`,
      { name: `${name}-port`, networkId: network.id, adminStateUp: true, securityGroupIds: [group.id] },
      { parent: this },
    );
    const floatingIp = new openstack.networking.FloatingIp(
      `${name}-fip`,
      { pool: args.floatingIpPool, description: "PRA standby: the address DNS points at during a failover" },
      // Releasing it would lose the address DNS may already point at.
      { parent: this, protect: true },
    );
    this.securityGroupId = group.id;
    this.portId = port.id;
    this.floatingIpAddress = floatingIp.address;
    this.floatingIpId = floatingIp.id;
    this.registerOutputs({
      securityGroupId: this.securityGroupId,
      portId: this.portId,
      floatingIpAddress: this.floatingIpAddress,
      floatingIpId: this.floatingIpId,
    });
  }
}

/** A short stable key for a CIDR, usable in a resource name whatever characters the CIDR holds (IPv6 colons). */
function cidrKey(cidr: string): string {
  return createHash("sha256").update(cidr).digest("hex").slice(0, 12);
}

function rule(securityGroupId: pulumi.Input<string>, cidr: string, port: number, description: string) {
  return {
    securityGroupId,
    description,
    direction: "ingress",
    ethertype: ethertype(cidr),
    protocol: "tcp",
    portRangeMin: port,
    portRangeMax: port,
    remoteIpPrefix: cidr,
  };
}
