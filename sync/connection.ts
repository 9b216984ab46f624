/**
 * How the standby is reached, fixed here rather than configured: one number for every layer (the
 * security group, the steps' connection, the sync's plan) instead of a copy in each.
 */

/** The standby's sshd port: the image's default, the one port the security group opens to the admins. */
export const STANDBY_SSH_PORT = 22;

/**
 * Dials of a standby step before it fails. Few: the readiness gate has already seen SSH answer with
 * the pinned key, and a wrong host key is retried like any dial error, so more would only delay the failure.
 */
export const STANDBY_DIAL_ATTEMPTS = 3;

/** Seconds one dial of a standby step may take; SSH answered moments before, at the readiness gate. */
export const STANDBY_DIAL_TIMEOUT_SECONDS = 20;

/**
 * rsync --timeout: seconds without progress before the file push gives up, so a dead link to the
 * standby fails the step instead of hanging until the script timeout. Generous, because a slow disk at
 * either end can stall a large transfer for a while.
 */
export const RSYNC_IO_TIMEOUT_SECONDS = 300;

/**
 * Seconds the outside health check after a failover may take. pra-verify has already seen WordPress
 * serve inside the standby: this covers the floating IP and the security group's web rules taking effect.
 */
export const HEALTH_TIMEOUT_SECONDS = 300;
