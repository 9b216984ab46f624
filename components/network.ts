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
  /** Whether HTTP/HTTPS are open to everyone: only while failed over, so a syncing standby is no public twin. */
  webOpen: boolean;
}

const ethertype = (cidr: string) => (net.isIPv6(cidr.split("/")[0]) ? "IPv6" : "IPv4");

/**
 * Security group, port and floating IP: all permanent and identical in every mode, so DNS can point
 * at a stable address. Only the HTTP/HTTPS rules come and go with `webOpen`.
 */
export class StandbyNetwork extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly portId: pulumi.Output<string>;
  readonly floatingIpAddress: pulumi.Output<string>;
  readonly floatingIpId: pulumi.Output<string>;

  constructor(name: string, args: StandbyNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:StandbyNetwork", name, {}, opts);
    const group = new openstack.networking.SecGroup(
      `${name}-secgroup`,
      { name: `${name}-secgroup`, description: "PRA standby: SSH from admins; web only while failed over" },
      { parent: this },
    );
    args.adminCidrs.forEach((cidr, i) => {
      new openstack.networking.SecGroupRule(
        `${name}-ssh-${i}`,
        rule(group.id, cidr, STANDBY_SSH_PORT, `SSH from admin network ${cidr}`),
        { parent: this, deleteBeforeReplace: true },
      );
    });
    if (args.webOpen) {
      for (const [port, proto] of [
        [80, "http"],
        [443, "https"],
      ] as const) {
        for (const cidr of ["0.0.0.0/0", "::/0"]) {
          new openstack.networking.SecGroupRule(
            `${name}-${proto}-${ethertype(cidr).toLowerCase()}`,
            rule(group.id, cidr, port, `${proto.toUpperCase()} while failed over`),
            { parent: this, deleteBeforeReplace: true },
          );
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
    this.registerOutputs({ floatingIpAddress: this.floatingIpAddress, portId: this.portId });
  }
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
