export interface StandbyParams {
  /** Path of the web root on the primary; on the standby it becomes a symlink into the live generation. */
  webRoot: string;
  /** The blog's host name, for the local health check. */
  siteHostname: string;
  /** How many recovery points (generations) to keep. */
  keep: number;
  /** Refuse a generation that loses more than this share of the previous one's files. */
  maxDeletePercent: number;
}
