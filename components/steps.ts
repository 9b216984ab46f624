import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { publicKeyBody } from "../sync/knownHosts";
import type { Source, StepInput, SyncPlan } from "../sync/plan";

/** How the steps reach the standby and the primary. */
export interface StepTarget {
  /** The standby's address (the floating IP). */
  host: pulumi.Input<string>;
  /** Non-root sudo user on the standby. */
  user: string;
  /** The pinned ed25519 host public key. */
  hostPublicKey: pulumi.Input<string>;
  hostKeyAlias: string;
  /** The client key for the standby (secret). */
  privateKey: pulumi.Input<string>;
  source: Source;
  /** Secret key for the primary (ssh source only). */
  primaryPrivateKey?: pulumi.Input<string>;
  webRoot: string;
  apacheSiteConfig: string;
  primaryDbSocket: string;
  /** Seconds to wait for a booting standby. */
  readyTimeoutSeconds: number;
  /** Upper bound of each remote script, seconds. */
  scriptTimeoutSeconds: number;
}

/**
 * Makes the two kinds of @pulumi/command steps the same way everywhere: runner steps
 * (`tsx sync/runner/cli.ts <step>`, plan and keys as secret JSON on stdin) and standby steps (pinned host
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
    this.plan = pulumi.all([target.host, target.hostPublicKey, trigger]).apply(([host, hostKey, run]) => ({
      run,
      standby: {
        host,
        port: 22,
        user: target.user,
        hostPublicKey: publicKeyBody(hostKey),
        hostKeyAlias: target.hostKeyAlias,
      },
      source: target.source,
      webRoot: target.webRoot,
      apacheSiteConfig: target.apacheSiteConfig,
      dbSocket: target.primaryDbSocket,
      readyTimeoutSeconds: target.readyTimeoutSeconds,
      ioTimeoutSeconds: 300,
    }));
    this.connection = {
      host: target.host,
      port: 22,
      user: target.user,
      privateKey: pulumi.secret(target.privateKey),
      hostKey: pulumi.output(target.hostPublicKey).apply(publicKeyBody),
      // A wrong host key is retried like any dial error: keep the retries few, the gate has waited already.
      dialErrorLimit: 3,
      perDialTimeout: 20,
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
        create: `npx --no-install tsx sync/runner/cli.ts ${step}`,
        stdin,
        triggers: [this.trigger],
        logging: "stdoutAndStderr",
      },
      { ...this.opts, dependsOn },
    );
  }

  /** A script run on the standby as root through sudo, bounded by `timeout`. */
  standby(step: string, script: string, dependsOn: pulumi.Resource[], input?: string): command.remote.Command {
    return new command.remote.Command(
      `${this.name}-${step}`,
      {
        connection: this.connection,
        create: `sudo -n timeout ${this.target.scriptTimeoutSeconds} ${script}`,
        stdin: input,
        triggers: [this.trigger, ...(input ? [createHash("sha256").update(input).digest("hex")] : [])],
        logging: "stdoutAndStderr",
      },
      { ...this.opts, dependsOn },
    );
  }
}
