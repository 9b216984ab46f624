import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";

const { markerProvider } = createRequire(__filename)("./markerProvider.cjs") as {
  markerProvider: pulumi.dynamic.ResourceProvider;
};

/**
 * A resource of the SDK's own dynamic provider (the engine runs it as the plugin @pulumi/pulumi ships):
 * the file `dir/name` holding `value`, so what the engine asked the provider to create or delete shows.
 * A changed value replaces it.
 */
export class Marker extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, dir: string, value: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions) {
    super(markerProvider, name, { dir, name, value }, opts);
  }
}
