import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { shq } from "../sync/layout";

export interface RecoveryPointArgs {
  /** What the standby really serves after a sync that just ran; undefined in runs without a sync. */
  record?: pulumi.Input<string>;
  /**
   * Why that sync's new generation was taken off again ("" when it went live). The run fails with it,
   * after the record is kept. Undefined in runs without a sync.
   */
  failure?: pulumi.Input<string>;
}

/**
 * Keeps the record of what the standby serves in state across runs without an instance, so its age
 * (the RPO) stays visible with `pulumi stack output recoveryPoint` and the nightly change check
 * compares the primary with what really serves: in a run without a sync the input is ignored and the
 * stored value stays. A sync whose new generation was rolled back still reports what serves (the
 * previous point, or {} for nothing verified), and only then fails the run.
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
    if (args.failure !== undefined) {
      new command.local.Command(
        `${name}-outcome`,
        {
          create: pulumi
            .output(args.failure)
            .apply((why) => (why ? `echo ${shq(`pra: the sync failed: ${why}`)} >&2; exit 1` : "true")),
          logging: "stdoutAndStderr",
        },
        { parent: this, dependsOn: [keeper] },
      );
    }
    this.record = keeper.stdout;
    this.registerOutputs({ record: this.record });
  }
}
