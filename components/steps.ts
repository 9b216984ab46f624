import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { STANDBY_DIAL_ATTEMPTS, STANDBY_DIAL_TIMEOUT_SECONDS, STANDBY_SSH_PORT } from "../sync/connection";
import { publicKeyBody } from "../sync/knownHosts";
import { buildPlan, type StandbyAddress, type StepInput, type SyncPlan, type SyncSettings } from "../sync/plan";
import { installedScripts, renderInstaller } from "../sync/standby/install";
import type { StandbyParams } from "../sync/standby/params";

/** How the steps reach the standby and the primary. */
export interface StepTarget {
  /** The standby: its floating IP, non-root sudo user, pinned ed25519 host key and the alias it is pinned under. */
  standby: Omit<StandbyAddress, "host" | "hostPublicKey"> & {
    host: pulumi.Input<string>;
    hostPublicKey: pulumi.Input<string>;
  };
  /** The client key for the standby (secret). */
  privateKey: pulumi.Input<string>;
  /** Where the primary's data is and how long the standby may take to boot. */
  sync: SyncSettings;
  /** Secret key for the primary (ssh source only). */
  primaryPrivateKey?: pulumi.Input<string>;
  /** Upper bound of each remote script, seconds. */
  scriptTimeoutSeconds: number;
}

/** What every component made of standby steps (the sync, the activation) is given. */
export interface StandbyStepsArgs {
  /** How the steps reach the standby and the primary. */
  target: StepTarget;
  /** What the standby scripts are rendered with. */
  standby: StandbyParams;
  /** The instance the steps run on; they are deleted with it. Default: none. */
  instance?: pulumi.Resource;
  /** What must exist before the first step runs: the server and its floating IP association. Default: nothing. */
  reachableAfter?: pulumi.Resource[];
}

/**
 * The first two steps of every use of the standby: wait until it is ready, then (re)install its
 * scripts onto the data volume. Returns the install step, which every later step waits for.
 * With `onlyChanged`, the scripts the ready step found installed travel as their sha256 alone: only
 * for steps whose ready check runs again whenever the install does (the sync's, triggered by its run),
 * so that what it found is what is there.
 */
export function readyAndInstalled(
  steps: StepFactory,
  args: StandbyStepsArgs,
  opts: { onlyChanged?: boolean } = {},
): command.remote.Command {
  const ready = steps.runner("ready", args.reachableAfter ?? []);
  const installer = opts.onlyChanged
    ? ready.stdout.apply((out) => renderInstaller(args.standby, installedScripts(out)))
    : renderInstaller(args.standby);
  return steps.standby("install", "bash -s", [ready], installer, renderInstaller(args.standby));
}

/**
 * Makes the two kinds of @pulumi/command steps the same way everywhere: runner steps
 * (`node sync/runner/launch.cjs <step>`, plan and keys as secret JSON on stdin) and standby steps (pinned host
 * key, non-root user, sudo under `timeout`, no secret in the command text).
 */
export class StepFactory {
  private readonly plan: pulumi.Output<SyncPlan>;
  private readonly connection: command.types.input.remote.ConnectionArgs;

  constructor(
    private readonly name: string,
    private readonly target: StepTarget,
    private readonly trigger: pulumi.Input<string>,
    private readonly opts: pulumi.CustomResourceOptions,
  ) {
    const { standby } = target;
    this.plan = pulumi
      .all([standby.host, standby.hostPublicKey, trigger])
      .apply(([host, hostPublicKey, run]) => buildPlan(target.sync, { ...standby, host, hostPublicKey }, run));
    this.connection = {
      host: standby.host,
      port: STANDBY_SSH_PORT,
      user: standby.user,
      privateKey: pulumi.secret(target.privateKey),
      hostKey: pulumi.output(standby.hostPublicKey).apply(publicKeyBody),
      dialErrorLimit: STANDBY_DIAL_ATTEMPTS,
      perDialTimeout: STANDBY_DIAL_TIMEOUT_SECONDS,
    };
  }

  /** A step run where Pulumi runs; `extra` adds non-secret fields (e.g. the health check) to its input. */
  runner(step: string, dependsOn: pulumi.Resource[], extra?: pulumi.Input<Partial<StepInput>>): command.local.Command {
    const stdin = pulumi.secret(
      pulumi
        .all([this.plan, this.target.privateKey, this.target.primaryPrivateKey, extra ?? {}])
        .apply(([plan, key, primaryKey, more]) =>
          JSON.stringify({ ...more, plan, secrets: { standbyPrivateKey: key, primaryPrivateKey: primaryKey } }),
        ),
    );
    return new command.local.Command(
      `${this.name}-${step}`,
      {
        // Plain node on a bundle of sync/runner/cli.ts, built once per content of sync/ (launch.cjs): tsx
        // (or npx) would pay its start-up, most of a second, on every step.
        create: `node sync/runner/launch.cjs ${step}`,
        stdin,
        triggers: [this.trigger],
        logging: "stdoutAndStderr",
      },
      { ...this.opts, dependsOn },
    );
  }

  /**
   * A script run on the standby as root through sudo, bounded by `timeout`. The step runs again when
   * `content` (default: the input) changes.
   */
  standby(
    step: string,
    script: string,
    dependsOn: pulumi.Resource[],
    input?: pulumi.Input<string>,
    content: string | undefined = typeof input === "string" ? input : undefined,
  ): command.remote.Command {
    return new command.remote.Command(
      `${this.name}-${step}`,
      {
        connection: this.connection,
        create: `sudo -n timeout ${this.target.scriptTimeoutSeconds} ${script}`,
        stdin: input,
        triggers: [this.trigger, ...(content ? [createHash("sha256").update(content).digest("hex")] : [])],
        logging: "stdoutAndStderr",
      },
      { ...this.opts, dependsOn },
    );
  }
}
