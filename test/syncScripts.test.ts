import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { digestFunction } from "../sync/digest";
import { hashesTsv, tableHashSql } from "../sync/hashSql";
import { renderDumpDb } from "../sync/primary/dumpDb";
import { renderPushFiles } from "../sync/primary/pushFiles";
import { READY_CHECK } from "../sync/runner/ready";
import { renderInstaller, standbyScripts } from "../sync/standby/install";
import { wpCleanupFunction } from "../sync/standby/wpCleanup";

const work = mkdtempSync(join(tmpdir(), "pra-scripts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const params = { webRoot: "/var/www/blog", siteHostname: "blog.example.org", keep: 7, maxDeletePercent: 10 };
const standby = {
  host: "203.0.113.10",
  port: 22,
  user: "pra",
  hostPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostHostHostHostHostHostHostHostHostHostHost",
  hostKeyAlias: "pra-standby",
};
const fakeKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKEKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";

const bashOk = (script: string) => spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });

describe("rendered scripts", () => {
  const all: Record<string, string> = {
    ...standbyScripts(params),
    installer: renderInstaller(params),
    "push-files": renderPushFiles({
      run: "run-1",
      standby,
      standbyPrivateKey: fakeKey,
      webRoot: "/var/www/blog",
      apacheSiteConfig: "/etc/apache2/sites-available/blog.conf",
      ioTimeoutSeconds: 300,
    }),
    "dump-db": renderDumpDb({ run: "run-1", standby, standbyPrivateKey: fakeKey, webRoot: "/var/www/blog" }),
    "ready-check": READY_CHECK,
  };

  it.each(Object.keys(all).filter((n) => !n.endsWith(".php")))("%s is valid bash", (name) => {
    const r = bashOk(all[name]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("pra-wpconfig.php is valid PHP", () => {
    const file = join(work, "pra-wpconfig.php");
    writeFileSync(file, all["pra-wpconfig.php"]);
    expect(spawnSync("php", ["-l", file], { encoding: "utf8" }).status).toBe(0);
  });

  it.each(Object.keys(all))("%s matches its snapshot", (name) => {
    expect(all[name]).toMatchSnapshot();
  });

  it("pins the standby's host key and never disables checking", () => {
    const push = all["push-files"];
    expect(push).toContain("StrictHostKeyChecking=yes");
    expect(push).toContain("HostKeyAlias=pra-standby");
    expect(push).toContain(`pra-standby ${standby.hostPublicKey}`);
    for (const text of Object.values(all))
      expect(text).not.toMatch(/StrictHostKeyChecking=no|UserKnownHostsFile=\/dev\/null/);
  });

  it("treats rsync's partial-transfer exits as failures and guards the source", () => {
    const push = all["push-files"];
    expect(push).toMatch(/23\|24\)/);
    expect(push).toMatch(/30\)/);
    expect(push).toContain("--link-dest=/srv/pra/current/www");
    expect(push).toContain("--exclude=/wp-content/cache/");
    expect(push).toContain("does not look like the WordPress root");
  });

  it("dumps one consistent snapshot with the flags that keep data intact", () => {
    expect(all["dump-db"]).toMatch(
      /--single-transaction --quick --hex-blob --routines --events --triggers[\s\\]+--default-character-set=utf8mb4 --max-allowed-packet=1G/,
    );
  });
});

describe("row hash SQL", () => {
  it("is the same text for the same columns and quotes odd names", () => {
    expect(tableHashSql("wp_posts", ["ID", "post_title"])).toBe(tableHashSql("wp_posts", ["ID", "post_title"]));
    expect(tableHashSql("we`ird'", ["a`b"])).toContain("`we``ird'`");
    expect(tableHashSql("we`ird'", ["a`b"])).toContain("'we`ird\\''");
  });

  it("prints one sorted TSV line per table", () => {
    expect(
      hashesTsv([
        { table: "b", rows: "2", crc32: "0000000A", md5: "00000000000000FF" },
        { table: "a", rows: "1", crc32: "0000000B", md5: "00000000000000EE" },
      ]),
    ).toBe("a\t1\t0000000B\t00000000000000EE\nb\t2\t0000000A\t00000000000000FF\n");
  });
});

describe("tree digest", () => {
  const digest = (dir: string) =>
    execFileSync("bash", ["-c", `${digestFunction()}\ntree_digest "$1"`, "x", dir], { encoding: "utf8" }).trim();

  it("changes with content and symlink targets, ignores the page cache", () => {
    const dir = join(work, "site");
    mkdirSync(join(dir, "wp-content/cache"), { recursive: true });
    writeFileSync(join(dir, "index.php"), "<?php echo 1;");
    const first = digest(dir);
    expect(first).toMatch(/^[0-9a-f]{64} 1$/);
    writeFileSync(join(dir, "wp-content/cache/page.html"), "cached");
    expect(digest(dir)).toBe(first);
    writeFileSync(join(dir, "index.php"), "<?php echo 2;");
    expect(digest(dir)).not.toBe(first);
    execFileSync("ln", ["-s", "index.php", join(dir, "link")]);
    expect(digest(dir)).toMatch(/ 2$/);
  });
});

describe("WordPress clean-up", () => {
  const cleanup = (www: string) =>
    spawnSync(
      "bash",
      ["-c", `set -euo pipefail\nsay() { echo "$*" >&2; }\n${wpCleanupFunction()}\nwp_cleanup "$1"`, "x", www],
      {
        encoding: "utf8",
      },
    );

  function site(name: string, withCache: boolean): string {
    const www = join(work, name);
    mkdirSync(join(www, "wp-content/cache/supercache/blog"), { recursive: true });
    writeFileSync(
      join(www, "wp-config.php"),
      `<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_HOST', '${withCache ? "db.lan:3306" : "localhost"}' );\n${withCache ? "define( 'WP_CACHE', true ); // Added by WP-Cache Manager\n" : ""}require_once ABSPATH . 'wp-settings.php';\n`,
    );
    writeFileSync(
      join(www, ".htaccess"),
      `${withCache ? "# BEGIN WPSuperCache\nRewriteRule ^(.*) wp-content/cache/supercache/%{HTTP_HOST}/index.html [L]\n# END WPSuperCache\n\n" : ""}# BEGIN WordPress\nRewriteRule . /index.php [L]\n# END WordPress\n`,
    );
    if (withCache) {
      writeFileSync(join(www, "wp-content/advanced-cache.php"), "<?php");
      writeFileSync(join(www, "wp-content/object-cache.php"), "<?php // redis at primary");
      writeFileSync(join(www, "wp-content/cache/supercache/blog/index.html"), "old page");
    }
    return www;
  }

  it("removes every Super Cache trace, repoints DB_HOST, and is idempotent", () => {
    const www = site("cached", true);
    const r = cleanup(www);
    expect(r.status).toBe(0);
    const htaccess = readFileSync(join(www, ".htaccess"), "utf8");
    expect(htaccess).not.toContain("WPSuperCache");
    expect(htaccess).toContain("# BEGIN WordPress");
    const config = readFileSync(join(www, "wp-config.php"), "utf8");
    expect(config).not.toContain("WP_CACHE");
    expect(config).toContain("define( 'DB_HOST', 'localhost' );");
    expect(spawnSync("ls", [join(www, "wp-content/advanced-cache.php")]).status).not.toBe(0);
    expect(spawnSync("ls", [join(www, "wp-content/object-cache.php")]).status).not.toBe(0);
    expect(execFileSync("find", [join(www, "wp-content/cache"), "-type", "f"], { encoding: "utf8" })).toBe("");
    const again = cleanup(www);
    expect(again.status).toBe(0);
    expect(again.stderr).not.toMatch(/removed|pointed/);
  });

  it("leaves a copy that has none of it untouched", () => {
    const www = site("plain", false);
    const before = readFileSync(join(www, "wp-config.php"), "utf8") + readFileSync(join(www, ".htaccess"), "utf8");
    expect(cleanup(www).status).toBe(0);
    expect(readFileSync(join(www, "wp-config.php"), "utf8") + readFileSync(join(www, ".htaccess"), "utf8")).toBe(
      before,
    );
  });
});
