import type { RecoveryRecord } from "./recoveryRecord";

/** A synced certificate that expires within this many days is warned about (status file, alert). */
export const CERTIFICATE_WARN_DAYS = 14;

/**
 * The warning for the recovery point's certificate, or undefined when there is none to give (no TLS,
 * or more than CERTIFICATE_WARN_DAYS left). A failover would serve exactly this certificate: once it
 * expires, browsers refuse the blog (HSTS forbids clicking through), so it is renewed on the primary
 * before that, or on the standby during a long failover (docs/RUNBOOK.md#https).
 */
export function certificateWarning(record: RecoveryRecord | undefined, now: Date): string | undefined {
  const cert = record?.certificate;
  if (!cert) return undefined;
  const names = cert.names.join(", ") || "the blog";
  const notAfter = Date.parse(cert.notAfter);
  if (Number.isNaN(notAfter)) return `the synced certificate for ${names} has an unreadable expiry (${cert.notAfter})`;
  const days = (notAfter - now.getTime()) / 86_400_000;
  if (days > CERTIFICATE_WARN_DAYS) return undefined;
  return days <= 0
    ? `the synced certificate for ${names} expired at ${cert.notAfter}: a failover would serve an expired certificate; renew it on the primary, then sync`
    : `the synced certificate for ${names} expires in ${days.toFixed(1)} days (${cert.notAfter}): renew it on the primary (the next sync carries it)`;
}
