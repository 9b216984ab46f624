import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

export interface StandbyInstanceArgs {
  /** Glance image to boot from. */
  imageId: pulumi.Input<string>;
  /** The persistent data volume, attached at boot and never deleted with the instance. */
  volumeId: pulumi.Input<string>;
  /** The permanent port (carries the security group). */
  portId: pulumi.Input<string>;
  /** The permanent floating IP's address, associated to the port while the instance exists. */
  floatingIpAddress: pulumi.Input<string>;
  /** Flavor (size) of the server. */
  flavorName: string;
  /** Availability zone of the server. Default: the cloud's choice. */
  availabilityZone?: string;
  /** cloud-config user data; a secret since it carries the host's private key. */
  userData: pulumi.Input<string>;
}

/**
 * The standby server: exists only while failed over, syncing or drilling. It boots from the image
 * with the data volume attached as a block device at boot (no attach-and-reboot dance).
 */
export class StandbyInstance extends pulumi.ComponentResource {
  readonly instanceId: pulumi.Output<string>;
  /** The server itself, for steps that must be deleted with it. */
  readonly server: openstack.compute.Instance;
  /** The floating IP's association with the server's port: from then on the standby is reachable. */
  readonly floatingIpAssociation: openstack.networking.FloatingIpAssociate;

  constructor(name: string, args: StandbyInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:StandbyInstance", name, {}, opts);
    const instance = new openstack.compute.Instance(
      `${name}-server`,
      {
        name: `${name}-server`,
        flavorName: args.flavorName,
        availabilityZone: args.availabilityZone,
        networks: [{ port: args.portId }],
        // The provider refuses a block device that boots an image on a local disk without the image here too
        // ("Neither a boot device, image ID, or image name were able to be determined"); Nova gets it as imageRef.
        imageId: args.imageId,
        blockDevices: [
          {
            uuid: args.imageId,
            sourceType: "image",
            destinationType: "local",
            bootIndex: 0,
            deleteOnTermination: true,
          },
          {
            uuid: args.volumeId,
            sourceType: "volume",
            destinationType: "volume",
            bootIndex: 1,
            deleteOnTermination: false,
          },
        ],
        userData: pulumi.secret(args.userData),
        // Lets MariaDB shut down cleanly before the server goes away.
        stopBeforeDestroy: true,
        metadata: { "pra-role": "standby" },
      },
      // Two servers cannot share the data volume: the old one must be gone before its successor boots.
      { parent: this, deleteBeforeReplace: true },
    );
    this.floatingIpAssociation = new openstack.networking.FloatingIpAssociate(
      `${name}-fip-assoc`,
      { floatingIp: args.floatingIpAddress, portId: args.portId },
      { parent: this, dependsOn: [instance] },
    );
    this.instanceId = instance.id;
    this.server = instance;
    this.registerOutputs({ instanceId: this.instanceId });
  }
}
