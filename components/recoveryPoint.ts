import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

export interface RecoveryPointArgs {
  /** The record of a sync that just ran; undefined in runs without a sync. */
  record?: pulumi.Input<string>;
}

/**
 * Keeps the newest good recovery point's record in state across runs without an instance, so its
 * age (the RPO) stays visible with `pulumi stack output recoveryPoint`: in a run without a sync the
 * input is ignored and the stored value stays.
 */
export class RecoveryPoint extends pulumi.ComponentResource {
  readonly record: pulumi.Output<string>;

  constructor(name: string, args: RecoveryPointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:RecoveryPoint", name, {}, opts);
    const keeper = new command.local.Command(
      `${name}-record`,
      { create: "cat", stdin: args.record ?? "", logging: "none" },
      { parent: this, ignoreChanges: args.record === undefined ? ["stdin"] : [] },
    );
    this.record = keeper.stdout;
    this.registerOutputs({ record: this.record });
  }
}
