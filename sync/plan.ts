import { RSYNC_IO_TIMEOUT_SECONDS, STANDBY_SSH_PORT } from "./connection";
import { publicKeyBody } from "./knownHosts";
import type { StandbyEndpoint } from "./primary/standbySsh";

/** Where the primary's data is read: on this machine, or on the primary over pinned SSH. */
export type Source =
  | { kind: "local" }
  | { kind: "ssh"; host: string; port: number; user: string; hostPublicKey: string; hostKeyAlias: string };

/** Everything one sync step needs that is not secret. Travels on stdin with the secrets. */
export interface SyncPlan {
  run: string;
  standby: StandbyEndpoint;
  source: Source;
  webRoot: string;
  apacheSiteConfig: string;
  /** MariaDB's socket on the primary. */
  dbSocket: string;
  /** Seconds the readiness gate waits for the standby. */
  readyTimeoutSeconds: number;
  /** Seconds without progress before rsync gives up. */
  ioTimeoutSeconds: number;
}

export interface SyncSecrets {
  /** The sync's client key for the standby. */
  standbyPrivateKey: string;
  /** Key for the primary, with source.kind = "ssh". */
  primaryPrivateKey?: string;
}

/** What the outside health check after a failover expects. */
export interface HealthCheck {
  siteHostname: string;
  /** Id of the newest published post, as pra-verify found it on the standby. */
  newestPostId: number;
  timeoutSeconds: number;
  /**
   * The site is https: the CA (PEM) its certificate must verify against, as the standby carried it from
   * the primary (pra-verify's report). Absent: the site is plain http.
   */
  caPem?: string;
}

export interface StepInput {
  plan: SyncPlan;
  secrets: SyncSecrets;
  health?: HealthCheck;
}

/** Name the primary's host key is pinned under in the sync's own known_hosts. */
export const PRIMARY_HOST_KEY_ALIAS = "pra-primary";

/** The primary, read over SSH (pra:primaryHost, primarySshPort, primarySshUser, primaryHostKey). */
export interface PrimaryEndpoint {
  host: string;
  port: number;
  user: string;
  hostPublicKey: string;
}

/**
 * The sync settings a plan is made from, under the names config.ts's SyncConfig gives them. No
 * secret: the keys travel beside the plan (SyncSecrets), never in it.
 */
export interface SyncSettings {
  /** Set when the primary is read over SSH; absent when Pulumi runs on the primary itself. */
  primary?: PrimaryEndpoint;
  webRoot: string;
  apacheSiteConfig: string;
  primaryDbSocket: string;
  readyTimeoutMinutes: number;
}

/** The standby as the stack knows it (address, user, host key, alias); its SSH port is fixed. */
export type StandbyAddress = Omit<StandbyEndpoint, "port">;

/** Where the primary's data is read: the change check needs only this; every plan holds it. */
export type PrimarySide = Pick<SyncPlan, "source" | "webRoot" | "dbSocket">;

/** The primary as a sync source: local without an endpoint, else SSH pinned under PRIMARY_HOST_KEY_ALIAS. */
export function sourceOf(primary: PrimaryEndpoint | undefined): Source {
  if (!primary) return { kind: "local" };
  const { host, port, user, hostPublicKey } = primary;
  return { kind: "ssh", host, port, user, hostPublicKey, hostKeyAlias: PRIMARY_HOST_KEY_ALIAS };
}

export function primarySide(settings: SyncSettings): PrimarySide {
  return { source: sourceOf(settings.primary), webRoot: settings.webRoot, dbSocket: settings.primaryDbSocket };
}

/** The one way a plan is made: by the program's steps, and by the failback from the stack's outputs. */
export function buildPlan(settings: SyncSettings, standby: StandbyAddress, run: string): SyncPlan {
  const primary = primarySide(settings);
  // Fields in this order: the plan is part of each step's stdin, whose text Pulumi diffs between ups.
  return {
    run,
    standby: {
      host: standby.host,
      port: STANDBY_SSH_PORT,
      user: standby.user,
      hostPublicKey: publicKeyBody(standby.hostPublicKey),
      hostKeyAlias: standby.hostKeyAlias,
    },
    source: primary.source,
    webRoot: primary.webRoot,
    apacheSiteConfig: settings.apacheSiteConfig,
    dbSocket: primary.dbSocket,
    readyTimeoutSeconds: settings.readyTimeoutMinutes * 60,
    ioTimeoutSeconds: RSYNC_IO_TIMEOUT_SECONDS,
  };
}
