import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderReadDbCredentials } from "../sync/primary/dumpDb";
import type { Lab, LabHost } from "../test/lab/lab";

/**
 * Where the classic procedure writes on the standby: its own directory, schema and Apache site, so
 * that it never touches PRA's data volume, database or site. Its site answers on 127.0.0.3 only (an
 * address-based virtual host wins over PRA's *:80 one; 127.0.0.2 is PRA's own preview of a candidate
 * generation, sync/layout.ts), under the blog's own name, so WordPress serves it exactly as it would
 * serve the blog.
 */
export const CLASSIC = { root: "/srv/classic/www", db: "classic", address: "127.0.0.3" } as const;

const SCRIPT = "/usr/local/sbin/classic-sync";
const KEY = "/root/.ssh/classic-standby";
const KNOWN_HOSTS = "/root/.ssh/classic-standby-known-hosts";

async function install(host: LabHost, path: string, content: string | Buffer, mode: string): Promise<void> {
  await host.exec(`install -D -m ${mode} /dev/stdin ${path}`, { input: content });
}

function site(blogHost: string): string {
  return `<VirtualHost ${CLASSIC.address}:80>
    ServerName ${blogHost}
    DocumentRoot ${CLASSIC.root}
    <Directory ${CLASSIC.root}>
        Options FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>
</VirtualHost>
`;
}

/**
 * What the admin did once by hand: the script installed on the primary with the standby's key and
 * pinned host key; on the standby, the schema, the site's DB user (same name and password as on the
 * primary) with rights on it, and the Apache site.
 */
export async function prepareClassic(lab: Lab): Promise<void> {
  const { primary, standby } = lab;
  await install(primary, SCRIPT, readFileSync(join(__dirname, "classic-sync.sh")), "0755");
  await install(primary, KEY, lab.standby.ssh.privateKey, "0600");
  await install(primary, KNOWN_HOSTS, `${standby.address} ${standby.ssh.hostPublicKey}\n`, "0644");
  const creds = JSON.parse((await primary.exec(renderReadDbCredentials("/var/www/blog"))).stdout) as {
    user: string;
    password: string;
  };
  const q = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  await standby.sql(`CREATE DATABASE ${CLASSIC.db} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER IF NOT EXISTS ${q(creds.user)}@'localhost' IDENTIFIED BY ${q(creds.password)};
GRANT ALL PRIVILEGES ON ${CLASSIC.db}.* TO ${q(creds.user)}@'localhost';`);
  await install(standby, "/etc/apache2/sites-available/classic.conf", site(lab.blogHost), "0644");
  await standby.exec("a2ensite -q classic >/dev/null && apache2ctl graceful");
}

export interface ClassicRun {
  /** rsync --stats "Total bytes sent" (the web root). */
  rsyncBytesSent: number;
  /** Size of the dump file scp sent. */
  dumpBytes: number;
}

/** Runs the classic procedure on the primary, as root, against the standby. */
export async function runClassic(lab: Lab): Promise<ClassicRun> {
  const env = [
    `STANDBY=${lab.standby.ssh.user}@${lab.standby.address}`,
    `SSH_KEY=${KEY}`,
    `KNOWN_HOSTS=${KNOWN_HOSTS}`,
    "SRC_ROOT=/var/www/blog",
    "SRC_DB=wordpress",
    `DEST_ROOT=${CLASSIC.root}`,
    `DEST_DB=${CLASSIC.db}`,
  ];
  const r = await lab.primary.exec(`env ${env.join(" ")} ${SCRIPT}`, { timeoutMs: 1_800_000 });
  const number = (re: RegExp) => Number((re.exec(r.stdout)?.[1] ?? "NaN").replace(/[,.]/g, ""));
  return {
    rsyncBytesSent: number(/^Total bytes sent: ([\d,.]+)/m),
    dumpBytes: number(/^dump bytes: (\d+)/m),
  };
}
