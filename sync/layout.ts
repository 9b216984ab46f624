/** Where the data volume is mounted on the standby. */
export const DATA_MOUNT = "/srv/pra";

/** Where everything lives on the standby's data volume. One place, so scripts and tests agree. */
export const layout = {
  data: DATA_MOUNT,
  bin: `${DATA_MOUNT}/bin`,
  /**
   * Runs being received: incoming/<run>/{www,apache/site.conf,dump.sql,files.json,db.json,...}, and for a
   * site with TLS tls/<the files' own absolute paths> (root-only; lib/tls-site.sh).
   */
  incoming: `${DATA_MOUNT}/incoming`,
  /** Kept recovery points: generations/<run>/{www,apache,tls,record.json,dump.sql.gz,...}, each with its own schema. */
  generations: `${DATA_MOUNT}/generations`,
  /** Symlink to the live generation; flipped atomically (files and database at once). */
  current: `${DATA_MOUNT}/current`,
  /** Symlink to the last generation proved live through the real site: where a rollback goes back to. */
  verified: `${DATA_MOUNT}/verified`,
  /** Loopback address where a candidate generation is served and checked before it goes live. */
  previewAddress: "127.0.0.2",
  /** The Apache site the standby serves, installed from the live generation. */
  siteConfig: "/etc/apache2/sites-available/pra-site.conf",
  /** The loopback-only Apache site that serves a candidate generation while it is checked. */
  previewConfig: "/etc/apache2/sites-available/pra-preview.conf",
  /**
   * Where the first-boot script leaves boot-done or boot-failed (its reason) for the ready check: on the
   * instance's root disk, so it lasts across reboots and a new instance starts without one.
   */
  bootState: "/var/lib/pra",
} as const;

/** Single-quotes a value for bash. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
