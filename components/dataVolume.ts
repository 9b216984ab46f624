import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

export interface DataVolumeArgs {
  /** Size in GB. Growing it resizes in place; it can never shrink. */
  sizeGb: number;
  /** Cinder volume type. Default: the cloud's default type. */
  volumeType?: string;
  /** Availability zone. Default: the cloud's choice. */
  availabilityZone?: string;
}

/**
 * The persistent data volume: site files, the MariaDB datadir and the recovery points.
 * It is protected and ignores changes to anything that would force a replacement, so no
 * configuration change made in normal operation can ever recreate (and empty) it.
 */
export class DataVolume extends pulumi.ComponentResource {
  readonly volumeId: pulumi.Output<string>;
  readonly sizeGb: number;

  constructor(name: string, args: DataVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:DataVolume", name, {}, opts);
    const volume = new openstack.blockstorage.Volume(
      `${name}-volume`,
      {
        name: `${name}-volume`,
        description: "PRA standby data: web root generations, MariaDB datadir, recovery points",
        size: args.sizeGb,
        enableOnlineResize: true,
        volumeType: args.volumeType,
        availabilityZone: args.availabilityZone,
      },
      {
        parent: this,
        protect: true,
        retainOnDelete: true,
        // These force a replacement in Cinder; a new empty volume would lose every recovery point.
        ignoreChanges: ["volumeType", "availabilityZone", "name", "description"],
      },
    );
    this.volumeId = volume.id;
    this.sizeGb = args.sizeGb;
    this.registerOutputs({ volumeId: this.volumeId, sizeGb: this.sizeGb });
  }
}
