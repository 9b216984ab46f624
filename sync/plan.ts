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
}

export interface StepInput {
  plan: SyncPlan;
  secrets: SyncSecrets;
  health?: HealthCheck;
}
