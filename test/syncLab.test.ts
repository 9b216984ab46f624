import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CommandLog, labHooks } from "./labEngine";
import { type Lab, startLab } from "./lab/lab";
import { readdirSync, readFileSync } from "node:fs";
import { renderReadDbCredentials } from "../sync/primary/dumpDb";
import { type ProgramRun, runProgram, validConfig } from "./harness";

let lab: Lab;
/** Every command line seen on the machine while the syncs ran (the lab hosts share its PID namespace). */
const argv: string[] = [];
function watchArgv(): () => void {
  const timer = setInterval(() => {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        argv.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
      } catch {
        // gone already
      }
    }
  }, 100);
  return () => clearInterval(timer);
}
const log: CommandLog[] = [];
const timings: Record<string, number> = {};

const syncConfig = (run: string): Record<string, string> => ({
  ...validConfig,
  siteHostname: "blog.example.test",
  syncRun: run,
  source: "ssh",
  primaryHost: lab.primary.address,
  primaryHostKey: lab.primary.ssh.hostPublicKey,
  primarySshPrivateKey: lab.primary.ssh.privateKey,
  webRoot: "/var/www/blog",
  apacheSiteConfig: "/etc/apache2/sites-available/blog.conf",
  readyTimeoutMinutes: "2",
});

async function sync(run: string, hooks = labHooks(lab, log)): Promise<ProgramRun> {
  const started = Date.now();
  const stop = watchArgv();
  try {
    return await runProgram(syncConfig(run), { hooks, secretKeys: ["primarySshPrivateKey"] });
  } finally {
    stop();
    timings[run] = Date.now() - started;
  }
}

const record = (run: ProgramRun) => JSON.parse(String(run.outputs.recoveryPoint)) as {
  run: string;
  snapshotTime: string;
  fileDigest: string;
  bytesSent: number;
  tables: Record<string, { rows: number; crc32: string; md5: string }>;
};

/** An independent comparison: mariadb-dump of the live schema, data only, ordered by primary key. */
const dumpOf = (host: Lab["primary"] | Lab["standby"]) =>
  host
    .exec(
      "mariadb-dump --max-allowed-packet=1G --skip-comments --skip-dump-date --hex-blob --order-by-primary --no-create-info --skip-extended-insert wordpress",
      { timeoutMs: 120_000 },
    )
    .then((r) => r.stdout);

/** sha256 of every file of the web root except those the standby clean-up changes on purpose. */
const filesOf = (host: Lab["primary"] | Lab["standby"]) =>
  host
    .exec(
      "cd -P /var/www/blog && find . -path ./wp-content/cache -prune -o -type f ! -name .htaccess ! -name wp-config.php ! -name advanced-cache.php ! -name object-cache.php -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum",
    )
    .then((r) => r.stdout.trim());

const home = async () =>
  (await lab.standby.exec(`curl -sS -D - --resolve ${lab.blogHost}:80:127.0.0.1 http://${lab.blogHost}/`)).stdout;

beforeAll(async () => {
  lab = await startLab();
  // The round-trip corpus: what breaks naive dump/restore pipelines.
  await lab.primary.sql(
    `SET SESSION sql_mode = '';
     CREATE TABLE pra_corpus (
       id BIGINT UNSIGNED PRIMARY KEY, big BIGINT, bytes BLOB, emoji VARCHAR(32) CHARACTER SET utf8mb4,
       zero_dt DATETIME, zero_d DATE, micro DATETIME(6), doc JSON, huge LONGBLOB
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
     INSERT INTO pra_corpus VALUES
       (1, 9007199254740993, (SELECT UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') SEPARATOR '')) FROM seq_0_to_255),
        '🦊 naïve ✓', '0000-00-00 00:00:00', '0000-00-00', '2026-11-25 03:04:05.123456',
        '{"a": [1, 2.50, "x"], "b": {"c": null}}', NULL),
       (2, -9223372036854775808, '', '𝄞', NULL, NULL, NULL, NULL, REPEAT('z', 17 * 1024 * 1024));`,
    "wordpress",
  );
}, 300_000);

afterAll(async () => {
  await lab?.stop();
  console.log("sync timings (ms):", JSON.stringify(timings));
});

describe("data sync against the lab (real sshd, rsync, MariaDB, Apache, WordPress)", () => {
  let first: ProgramRun;

  it("first sync: database and files identical, WordPress serves the newest post, no Super Cache", async () => {
    const title = `Fresh from the primary ${Date.now()}`;
    await lab.primary.addPost(title, "body");
    first = await sync("run-1");
    const rec = record(first);
    expect(rec.run).toBe("run-1");
    expect(Object.keys(rec.tables)).toContain("pra_corpus");
    expect(rec.tables.wp_posts.rows).toBeGreaterThan(0);
    expect(await dumpOf(lab.standby)).toBe(await dumpOf(lab.primary));
    expect(await filesOf(lab.standby)).toBe(await filesOf(lab.primary));
    const page = await home();
    expect(page).toMatch(/^HTTP\/1\.1 200/);
    expect(page).toContain(title);
    expect(page.toLowerCase()).not.toContain("supercache");
    const htaccess = (await lab.standby.exec("cat /var/www/blog/.htaccess")).stdout;
    expect(htaccess).not.toContain("WPSuperCache");
    expect(htaccess).toContain("# BEGIN WordPress");
    const leftovers = await lab.standby.exec(
      "cd /var/www/blog/wp-content && ls advanced-cache.php object-cache.php 2>&1; find cache -type f 2>/dev/null | wc -l; grep -c WP_CACHE ../wp-config.php",
      { allowFail: true },
    );
    expect(leftovers.stdout).toMatch(/No such file[\s\S]*No such file[\s\S]*^0\n0/m);
  }, 600_000);

  it("the corpus survives byte for byte (256 byte values, emoji, zero dates, DATETIME(6), BIGINT, JSON, 17 MB row)", async () => {
    const q = "SELECT id, big, HEX(bytes), HEX(emoji), zero_dt, zero_d, micro, doc, LENGTH(huge), MD5(huge) FROM pra_corpus ORDER BY id";
    const standby = await lab.standby.sql(q, "wordpress");
    expect(standby).toBe(await lab.primary.sql(q, "wordpress"));
    expect(standby).toContain("9007199254740993");
    expect(standby).toContain("0000-00-00 00:00:00");
    expect(standby).toContain("2026-11-25 03:04:05.123456");
    expect(standby).toContain(String(17 * 1024 * 1024));
  });

  it("a second sync with nothing changed sends almost nothing and keeps every hash", async () => {
    const second = await sync("run-2");
    const a = record(first);
    const b = record(second);
    expect(b.tables).toEqual(a.tables);
    expect(b.fileDigest).toBe(a.fileDigest);
    const filesSent = log.filter((l) => l.name === "pra-sync-files").map((l) => l.stdout);
    const sent = Number(/sent (\d+) bytes/.exec(filesSent[filesSent.length - 1])?.[1]);
    expect(sent).toBeLessThan(200_000);
    // Unchanged files are hard links into the previous generation: no new space.
    const links = await lab.standby.exec("stat -c %h /srv/pra/generations/run-2/www/wp-includes/version.php");
    expect(Number(links.stdout.trim())).toBeGreaterThanOrEqual(2);
  }, 600_000);

  it("keeps secrets off argv, out of logs and out of outputs", async () => {
    const creds = (JSON.parse((await lab.primary.exec(renderReadDbCredentials("/var/www/blog"))).stdout) as { password: string })
      .password;
    expect(creds.length).toBeGreaterThan(5);
    const keyLine = lab.primary.ssh.privateKey.split("\n")[1];
    const standbyKeyLine = lab.standby.ssh.privateKey.split("\n")[1];
    const everything = JSON.stringify({ log, argv, outputs: first.outputs, creates: first.resources.map((r) => r.inputs.create) });
    expect(argv.length).toBeGreaterThan(20);
    for (const secret of [creds, keyLine, standbyKeyLine]) expect(everything).not.toContain(secret);
    for (const r of first.byType("command:local:Command").filter((r) => r.inputs.create !== "cat")) {
      expect(r.secretInputs).toContain("stdin");
    }
    for (const r of first.byType("command:remote:Command")) {
      expect(r.secretInputs.some((p) => p === "connection" || p === "connection.privateKey")).toBe(true);
      expect(r.inputs.create).toMatch(/^sudo -n timeout \d+ /);
      expect((r.inputs.connection as { user: string }).user).toBe("pra");
      expect((r.inputs.connection as { hostKey: string }).hostKey).toBe(lab.standby.ssh.hostPublicKey);
    }
  });
});
