import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

/** Where the snapshot image comes from (exactly one of pra:imageName, imageId, imageSourceUrl, imageFile). */
export type ImageSource =
  | { kind: "name"; name: string }
  | { kind: "id"; id: string }
  | { kind: "url"; url: string; diskFormat: string; sizeGb: number }
  | { kind: "file"; path: string; diskFormat: string; sizeGb: number };

export interface StandbyImageArgs {
  /** Where the snapshot image comes from: an existing Glance image (by name or id) or an upload (URL or file). */
  source: ImageSource;
}

/**
 * The snapshot image the standby boots from (OS + Apache/PHP/MariaDB configuration).
 * An uploaded image is owned by the stack and protected; an existing one is only looked up, never touched.
 */
export class StandbyImage extends pulumi.ComponentResource {
  /** Glance image id to boot from. */
  readonly imageId: pulumi.Output<string>;
  /** Size in GB (known for looked-up images, configured for uploads), for the cost estimate. */
  readonly sizeGb: pulumi.Output<number>;

  constructor(name: string, args: StandbyImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:StandbyImage", name, {}, opts);
    const source = args.source;
    switch (source.kind) {
      case "id":
        this.imageId = pulumi.output(source.id);
        this.sizeGb = pulumi.output(0);
        break;
      case "name": {
        const found = openstack.images.getImageOutput({ name: source.name, mostRecent: true }, { parent: this });
        this.imageId = found.id;
        this.sizeGb = found.sizeBytes.apply((bytes) => Math.ceil(bytes / 1e9));
        break;
      }
      default: {
        const image = new openstack.images.Image(
          `${name}-upload`,
          {
            name: `${name}-snapshot`,
            containerFormat: "bare",
            diskFormat: source.diskFormat,
            ...(source.kind === "url"
              ? { imageSourceUrl: source.url, webDownload: true }
              : { localFilePath: source.path }),
            visibility: "private",
          },
          // Re-uploading would orphan running standbys' boot source and cost a transfer: keep it.
          { parent: this, protect: true },
        );
        this.imageId = image.id;
        this.sizeGb = pulumi.output(source.sizeGb);
      }
    }
    this.registerOutputs({ imageId: this.imageId, sizeGb: this.sizeGb });
  }
}
