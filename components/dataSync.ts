import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { layout } from "../sync/layout";
import type { Source, StepInput, SyncPlan } from "../sync/plan";
import { renderInstaller } from "../sync/standby/install";
import type { StandbyParams } from "../sync/standby/params";
import { publicKeyBody } from "./knownHosts";

export interface DataSyncArgs {
  /** The sync run id: each new value really runs every step again. */
  run: string;
  /** The standby's address (the floating IP). */
  host: pulumi.Input<string>;
  /** Non-root sudo user on the standby. */
  user: string;
  /** The pinned ed25519 host public key. */
  hostPublicKey: pulumi.Input<string>;
  hostKeyAlias: string;
  /** The sync's client key (secret). */
  privateKey: pulumi.Input<string>;
  /** Where the primary's data is read. */
  source: Source;
  /** Secret key for the primary (ssh source only). */
  primaryPrivateKey?: pulumi.Input<string>;
  apacheSiteConfig: string;
  primaryDbSocket: string;
  standby: StandbyParams;
  /** Seconds to wait for a booting standby. Default 900. */
  readyTimeoutSeconds?: number;
  /** Upper bound of each remote script, seconds. Default 3600. */
  scriptTimeoutSeconds?: number;
  /** The instance the steps run on; they are deleted with it. */
  instance?: pulumi.Resource;
}

/**
 * Brings the standby's data volume up to date with the primary, as @pulumi/command steps:
 * ready -> install scripts -> (files || database) -> import -> switch -> verify.
 * Runner-side steps (local.Command) carry keys on stdin; standby steps (remote.Command) pin the host
 * key, log in as a non-root user, and run under `timeout`. The scripts are rendered in sync/.
 */
export class DataSync extends pulumi.ComponentResource {
  /** The live recovery point's record (JSON), as pra-verify printed it. */
  readonly record: pulumi.Output<string>;

  constructor(name: string, args: DataSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:DataSync", name, {}, opts);
    const scriptTimeout = args.scriptTimeoutSeconds ?? 3600;
    const local = { parent: this, deletedWith: args.instance };
    const plan: pulumi.Output<SyncPlan> = pulumi.all([args.host, args.hostPublicKey]).apply(([host, hostKey]) => ({
      run: args.run,
      standby: {
        host,
        port: 22,
        user: args.user,
        hostPublicKey: publicKeyBody(hostKey),
        hostKeyAlias: args.hostKeyAlias,
      },
      source: args.source,
      webRoot: args.standby.webRoot,
      apacheSiteConfig: args.apacheSiteConfig,
      dbSocket: args.primaryDbSocket,
      readyTimeoutSeconds: args.readyTimeoutSeconds ?? 900,
      ioTimeoutSeconds: 300,
    }));
    const stdin = pulumi.secret(
      pulumi.all([plan, args.privateKey, args.primaryPrivateKey]).apply(([p, key, primaryKey]) =>
        JSON.stringify({
          plan: p,
          secrets: { standbyPrivateKey: key, primaryPrivateKey: primaryKey },
        } satisfies StepInput),
      ),
    );
    const runnerStep = (step: string, dependsOn: pulumi.Resource[]) =>
      new command.local.Command(
        `${name}-${step}`,
        {
          create: `npx --no-install tsx sync/cli.ts ${step}`,
          stdin,
          triggers: [args.run],
          logging: "stdoutAndStderr",
        },
        { ...local, dependsOn },
      );
    const connection: command.types.input.remote.ConnectionArgs = {
      host: args.host,
      port: 22,
      user: args.user,
      privateKey: pulumi.secret(args.privateKey),
      hostKey: pulumi.output(args.hostPublicKey).apply(publicKeyBody),
      // A wrong host key is retried like any dial error: keep the retries few, the gate has waited already.
      dialErrorLimit: 3,
      perDialTimeout: 20,
    };
    const standbyStep = (step: string, script: string, dependsOn: pulumi.Resource[], input?: string) =>
      new command.remote.Command(
        `${name}-${step}`,
        {
          connection,
          create: `sudo -n timeout ${scriptTimeout} ${script}`,
          stdin: input,
          triggers: [args.run, ...(input ? [createHash("sha256").update(input).digest("hex")] : [])],
          logging: "stdoutAndStderr",
        },
        { ...local, dependsOn },
      );

    const ready = runnerStep("ready", []);
    const install = standbyStep("install", "bash -s", [ready], renderInstaller(args.standby));
    const files = runnerStep("files", [install]);
    const database = runnerStep("database", [install]);
    const imported = standbyStep("import", `${layout.bin}/pra-import ${args.run}`, [files, database]);
    const switched = standbyStep("switch", `${layout.bin}/pra-switch ${args.run}`, [imported]);
    const verified = standbyStep("verify", `${layout.bin}/pra-verify`, [switched]);
    this.record = verified.stdout.apply((out) => out.trim().split("\n").pop() ?? "");
    this.registerOutputs({ record: this.record });
  }
}
