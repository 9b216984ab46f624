import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { HEALTH_TIMEOUT_SECONDS } from "../sync/connection";
import { layout } from "../sync/layout";
import { parseVerifyReport } from "../sync/verifyReport";
import { readyAndInstalled, type StandbyStepsArgs, StepFactory } from "./steps";

export interface DnsSwitch {
  /** Shell command that points the blog's name at $PRA_DNS_ADDRESS (run where Pulumi runs). */
  hookCommand: string;
  /** The primary's public address, restored by the same hook when the failover ends. */
  primaryAddress: string;
}

export interface StandbyActivationArgs extends StandbyStepsArgs {
  /** Changes whenever the standby must be activated anew: the instance id, or the drill's run id. */
  trigger: pulumi.Input<string>;
  /** Serve this recovery point (a run id) instead of the newest. Default: the newest. */
  restorePoint?: string;
  /**
   * true for a failover: after the inside check, WordPress must also answer from outside on the
   * floating IP, and DNS is switched. false for a live drill (web closed to the public).
   */
  public: boolean;
  /**
   * What opens the site to the public (the security group's web rules): the outside check waits for
   * it, or it could ask a floating IP whose port still drops web traffic. Default: none.
   */
  webOpenedBy?: pulumi.Resource[];
  /** How DNS follows a failover by hook. Default: not switched by hook. */
  dns?: DnsSwitch;
}

/**
 * Makes a booted standby serve the newest (or a chosen) recovery point: the scripts, the site and
 * its clean-up, the inside check (pra-verify), then for a real failover the outside check on the
 * floating IP and the DNS switch. `pulumi up` does not report success before all of it passed.
 */
export class StandbyActivation extends pulumi.ComponentResource {
  /** What pra-verify printed: the newest post and the live recovery point's record. */
  readonly verification: pulumi.Output<string>;

  constructor(name: string, args: StandbyActivationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:StandbyActivation", name, {}, opts);
    const childOpts = { parent: this, deletedWith: args.instance };
    const steps = new StepFactory(name, args.target, args.trigger, childOpts);
    const install = readyAndInstalled(steps, args);
    const restored = args.restorePoint
      ? steps.standby("restore", `${layout.bin}/pra-restore ${args.restorePoint}`, [install])
      : install;
    const activated = steps.standby("activate", `${layout.bin}/pra-activate${args.public ? " --failover" : ""}`, [
      restored,
    ]);
    const verified = steps.standby("verify", `${layout.bin}/pra-verify`, [activated]);
    this.verification = verified.stdout;
    if (args.public) {
      const report = verified.stdout.apply((out) => parseVerifyReport(out));
      const health = steps.runner(
        "health",
        [verified, ...(args.webOpenedBy ?? [])],
        report.apply(({ newestPostId, caPem }) => ({
          health: {
            siteHostname: args.standby.siteHostname,
            newestPostId,
            timeoutSeconds: HEALTH_TIMEOUT_SECONDS,
            ...(caPem ? { caPem } : {}),
          },
        })),
      );
      if (args.dns) {
        new command.local.Command(
          `${name}-dns`,
          {
            // The delete runs when the failover ends (praActive=false): it points the name back at the primary.
            create: `export PRA_DNS_ADDRESS="$PRA_STANDBY_ADDRESS"; ${args.dns.hookCommand}`,
            delete: `export PRA_DNS_ADDRESS="$PRA_PRIMARY_ADDRESS"; ${args.dns.hookCommand}`,
            environment: {
              PRA_DNS_NAME: args.standby.siteHostname,
              PRA_STANDBY_ADDRESS: args.target.standby.host,
              PRA_PRIMARY_ADDRESS: args.dns.primaryAddress,
            },
            logging: "stdoutAndStderr",
          },
          { parent: this, dependsOn: [health] },
        );
      }
    }
    this.registerOutputs({ verification: this.verification });
  }
}
