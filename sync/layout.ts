/** Where the data volume is mounted on the standby. */
export const DATA_MOUNT = "/srv/pra";

/** Where everything lives on the standby's data volume. One place, so scripts and tests agree. */
export const layout = {
  data: DATA_MOUNT,
  bin: `${DATA_MOUNT}/bin`,
  /** Runs being received: incoming/<run>/{www,apache/site.conf,dump.sql,files.json,db.json,...}. */
  incoming: `${DATA_MOUNT}/incoming`,
  /** Symlink to the live generation; flipped atomically. */
  current: `${DATA_MOUNT}/current`,
  /** The Apache site the standby serves, installed from the live generation. */
  siteConfig: "/etc/apache2/sites-available/pra-site.conf",
} as const;

/** Single-quotes a value for bash. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
