import * as pulumi from "@pulumi/pulumi";
import { layout } from "../sync/layout";
import { parseVerifyReport } from "../sync/verifyReport";
import { readyAndInstalled, type StandbyStepsArgs, StepFactory } from "./steps";

export interface DataSyncArgs extends StandbyStepsArgs {
  /** The sync run id: each new value really runs every step again. */
  run: string;
}

/**
 * Brings the standby's data volume up to date with the primary, as @pulumi/command steps:
 * ready -> install scripts -> (files || database) -> import -> switch -> verify.
 * The switch proves the new generation serves before it goes live; verify proves it through the real
 * site after, or rolls it back. The scripts are rendered in sync/; this component only wires them.
 */
export class DataSync extends pulumi.ComponentResource {
  /**
   * What really serves after the run (JSON), as pra-verify printed it: the new recovery point's record,
   * or after a rollback the previous one's, or {} when no verified generation serves.
   */
  readonly record: pulumi.Output<string>;
  /** Why the new generation was taken off again after its flip; "" when it is verified live. */
  readonly failure: pulumi.Output<string>;

  constructor(name: string, args: DataSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:DataSync", name, {}, opts);
    const steps = new StepFactory(name, args.target, args.run, { parent: this, deletedWith: args.instance });
    const install = readyAndInstalled(steps, args, { onlyChanged: true });
    const files = steps.runner("files", [install]);
    const database = steps.runner("database", [install]);
    const imported = steps.standby("import", `${layout.bin}/pra-import ${args.run}`, [files, database]);
    const switched = steps.standby("switch", `${layout.bin}/pra-switch ${args.run}`, [imported]);
    const verified = steps.standby("verify", `${layout.bin}/pra-verify`, [switched]);
    this.record = verified.stdout.apply((out) => parseVerifyReport(out).record);
    this.failure = verified.stdout.apply((out) => parseVerifyReport(out).failure);
    this.registerOutputs({ record: this.record, failure: this.failure });
  }
}
