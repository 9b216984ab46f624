import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReadDbCredentials } from "../sync/primary/dumpDb";
import { type ProgramRun, runProgram } from "./harness";
import { type Lab, startLab } from "./lab/lab";
import { type CommandLog, labHooks, labSyncConfig } from "./labEngine";

/**
 * One way to reach the primary's database (issue 10): a primary whose MariaDB is not where a stock
 * Debian keeps it, and a dump that fails midway. Each test sets its primary up and puts it back.
 */
let lab: Lab;
const log: CommandLog[] = [];
let runs = 0;
const freshRun = (what: string) => `db-${what}-${++runs}`;

function sync(run: string, more: Record<string, string> = {}): Promise<ProgramRun> {
  return runProgram(
    { ...labSyncConfig(lab, run), ...more },
    { hooks: labHooks(lab, log), secretKeys: ["primarySshPrivateKey"] },
  );
}
const record = (run: ProgramRun) =>
  JSON.parse(String(run.outputs.recoveryPoint)) as { run: string; tables: Record<string, { rows: number }> };
const home = async () =>
  (await lab.standby.exec(`curl -sS -D - --resolve ${lab.blogHost}:80:127.0.0.1 http://${lab.blogHost}/`)).stdout;

const DEFAULT_SOCKET = "/run/mysqld/mysqld.sock";

/** Stops the mariadbd answering on `socket` and waits until it is gone. */
const stopServer = (socket: string) =>
  lab.primary.exec(
    `if mariadb-admin --socket=${socket} ping --silent 2>/dev/null; then
  pid=$(mariadb -N -B --socket=${socket} -e 'SELECT @@pid_file' | xargs cat)
  mariadb-admin --socket=${socket} shutdown
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi`,
    { timeoutMs: 60_000 },
  );

/** Starts the lab primary's own mariadbd (its data dir) with extra options; waits until it answers on `socket`. */
const startServer = (socket: string, options: string) =>
  lab.primary.exec(
    `install -d -o mysql -g mysql ${socket.replace(/\/[^/]*$/, "")}
setsid -f /usr/sbin/mariadbd --user=mysql --socket=${socket} ${options} </dev/null >>/var/log/pra-lab/mariadb.log 2>&1
for _ in $(seq 1 300); do mariadb-admin --socket=${socket} ping --silent 2>/dev/null && exit 0; sleep 0.1; done
echo "mariadbd did not answer on ${socket}" >&2; exit 1`,
    { timeoutMs: 60_000 },
  );

/** The lab primary as startLab made it: its one server on the default socket and port. */
async function restoreStockServer(): Promise<void> {
  await stopServer(DEFAULT_SOCKET);
  await stopServer("/run/mysqld-alt/mysqld.sock");
  await startServer(DEFAULT_SOCKET, "");
}

const sitePassword = async () =>
  (JSON.parse((await lab.primary.exec(renderReadDbCredentials("/var/www/blog"))).stdout) as { password: string })
    .password;

/** The newest post's title on the primary, through whatever server WordPress now uses. */
async function addPost(what: string): Promise<string> {
  const title = `${what} ${Date.now()}`;
  await lab.primary.addPost(title, "body");
  return title;
}

beforeAll(async () => {
  lab = await startLab();
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

describe("the primary's database is reached one way, whatever its address", () => {
  it("a MariaDB on a non-default socket (pra:primaryDbSocket), with a decoy server on the default one: the right one is copied", async () => {
    const alt = "/run/mysqld-alt/mysqld.sock";
    const phpIni = "/etc/php/pra-lab-alt-socket.ini";
    try {
      await stopServer(DEFAULT_SOCKET);
      await startServer(alt, `--pid-file=/run/mysqld-alt/mysqld.pid`);
      // PHP (WordPress with DB_HOST 'localhost', the lab's post helper) finds MariaDB where the admin said.
      await lab.primary.exec(
        `printf 'mysqli.default_socket=${alt}\\npdo_mysql.default_socket=${alt}\\n' > ${phpIni}
for d in /etc/php/*/cli/conf.d /etc/php/*/apache2/conf.d; do ln -sf ${phpIni} "$d/99-pra-lab-alt.ini"; done
apache2ctl graceful`,
      );
      // The decoy: another server on the default socket, with the same site user and a database of that name.
      const password = await sitePassword();
      await lab.primary.exec(
        `install -d -o mysql -g mysql /var/lib/mysql-decoy /run/mysqld
mariadb-install-db --user=mysql --datadir=/var/lib/mysql-decoy --skip-test-db --auth-root-authentication-method=socket >/dev/null 2>&1
setsid -f /usr/sbin/mariadbd --user=mysql --datadir=/var/lib/mysql-decoy --socket=${DEFAULT_SOCKET} --pid-file=/run/mysqld/decoy.pid --skip-networking </dev/null >>/var/log/pra-lab/mariadb-decoy.log 2>&1
for _ in $(seq 1 300); do mariadb-admin --socket=${DEFAULT_SOCKET} ping --silent 2>/dev/null && break; sleep 0.1; done
mariadb --socket=${DEFAULT_SOCKET} <<'SQL'
CREATE DATABASE wordpress;
CREATE TABLE wordpress.decoy_marker (id INT PRIMARY KEY);
INSERT INTO wordpress.decoy_marker VALUES (1);
CREATE USER 'wp'@'localhost' IDENTIFIED BY '${password.replace(/'/g, "''")}';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wp'@'localhost';
SQL`,
        { timeoutMs: 120_000 },
      );
      const title = await addPost("On the non-default socket");
      const run = freshRun("socket");
      const rec = record(await sync(run, { primaryDbSocket: alt }));
      expect(rec.run).toBe(run);
      // The hashes (the record) came from the real server, not the decoy...
      expect(Object.keys(rec.tables)).toContain("wp_posts");
      expect(Object.keys(rec.tables)).not.toContain("decoy_marker");
      // ...and so did the dump: pra-import compared it with them, and the standby serves the newest post.
      // Each generation has its own schema, named in its wp-config.php.
      const schema = (
        await lab.standby.exec("php /srv/pra/bin/pra-wpconfig.php /srv/pra/current/www/wp-config.php name")
      ).stdout.trim();
      expect(schema).toBe(`pra_${run}`);
      const tables = await lab.standby.sql("SHOW TABLES", schema);
      expect(tables).toContain("wp_posts");
      expect(tables).not.toContain("decoy_marker");
      const page = await home();
      expect(page).toMatch(/^HTTP\/1\.1 200/);
      expect(page).toContain(title);
    } finally {
      await lab.primary.exec(`rm -f /etc/php/*/*/conf.d/99-pra-lab-alt.ini ${phpIni}; apache2ctl graceful`);
      await restoreStockServer();
      await lab.primary.exec("rm -rf /var/lib/mysql-decoy");
    }
  }, 600_000);

  it("a primary reached at 127.0.0.1:13306 (DB_HOST): the sync succeeds and the standby's WordPress uses its own MariaDB", async () => {
    const wpConfig = "/var/www/blog/wp-config.php";
    try {
      await stopServer(DEFAULT_SOCKET);
      // The socket stays where it was: only DB_HOST says how WordPress (and so the sync) gets there.
      await startServer(DEFAULT_SOCKET, "--port=13306 --bind-address=127.0.0.1");
      const password = await sitePassword();
      await lab.primary.sql(
        `CREATE USER IF NOT EXISTS 'wp'@'127.0.0.1' IDENTIFIED BY '${password.replace(/'/g, "''")}';
         GRANT ALL PRIVILEGES ON wordpress.* TO 'wp'@'127.0.0.1';`,
      );
      await lab.primary.exec(
        `cp -p ${wpConfig} /root/wp-config.php.pra-lab && sed -i "s/define( 'DB_HOST', 'localhost' );/define( 'DB_HOST', '127.0.0.1:13306' );/" ${wpConfig} && grep -q "'127.0.0.1:13306'" ${wpConfig}`,
      );
      const title = await addPost("Over TCP port 13306");
      const run = freshRun("port");
      expect(record(await sync(run)).run).toBe(run);
      const standbyConfig = (await lab.standby.exec("cat /var/www/blog/wp-config.php")).stdout;
      expect(standbyConfig).toContain("define( 'DB_HOST', 'localhost' );");
      expect(standbyConfig).not.toContain("13306");
      const page = await home();
      expect(page).toMatch(/^HTTP\/1\.1 200/);
      expect(page).toContain(title);
    } finally {
      await lab.primary.exec(`[ ! -f /root/wp-config.php.pra-lab ] || mv /root/wp-config.php.pra-lab ${wpConfig}`);
      await lab.primary.sql("DROP USER IF EXISTS 'wp'@'127.0.0.1'").catch(() => "");
      await restoreStockServer();
    }
  }, 600_000);
});

describe("a failed dump stores nothing", () => {
  it("a table the dump cannot read (after every wp_ table): the run fails naming mariadb-dump, the standby keeps no dump", async () => {
    // A tablespace discarded: its definition is there, its rows cannot be read; mariadb-dump stops at it
    // after having written every table before it.
    await lab.primary.sql(
      "CREATE TABLE wp_zz_unreadable (id INT PRIMARY KEY) ENGINE=InnoDB; ALTER TABLE wp_zz_unreadable DISCARD TABLESPACE;",
      "wordpress",
    );
    const run = freshRun("failed-dump");
    let failure = "";
    try {
      await sync(run).catch((e: Error) => {
        failure = e.message;
      });
    } finally {
      await lab.primary.sql("DROP TABLE IF EXISTS wp_zz_unreadable", "wordpress");
    }
    expect(failure).toMatch(/mariadb-dump failed \(exit \d+\): the standby stores no dump of run db-failed-dump-\d+/);
    // Midway: mariadb-dump had written the tables before it and stopped at the unreadable one.
    expect(failure).toMatch(/wp_zz_unreadable/);
    const left = await lab.standby.exec(`ls -A /srv/pra/incoming/${run}/ 2>/dev/null || true`);
    expect(left.stdout).not.toMatch(/dump\.sql/);
  }, 600_000);
});
