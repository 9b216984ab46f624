import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderScript } from "../../sync/scripts";
import { fakeCommands, runLib, runScript, workDir } from "./run";

const work = workDir("lib");

describe("tree_digest (through the primary's web-root-digest script)", () => {
  const digest = async (dir: string, ...excluded: string[]) => {
    const r = excluded.length
      ? await runLib(["tree-digest.sh"], 'tree_digest "$@"', [dir, ...excluded])
      : await runScript(renderScript("primary/web-root-digest", { WEB_ROOT: dir }));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout.trim();
  };

  it("changes with content and symlink targets, ignores the page cache", async () => {
    const dir = join(work, "site");
    mkdirSync(join(dir, "wp-content/cache"), { recursive: true });
    writeFileSync(join(dir, "index.php"), "<?php echo 1;");
    const first = await digest(dir);
    expect(first).toMatch(/^[0-9a-f]{64} 1$/);
    writeFileSync(join(dir, "wp-content/cache/page.html"), "cached");
    expect(await digest(dir)).toBe(first);
    writeFileSync(join(dir, "index.php"), "<?php echo 2;");
    const second = await digest(dir);
    expect(second).not.toBe(first);
    symlinkSync("index.php", join(dir, "link"));
    const linked = await digest(dir);
    expect(linked).toMatch(/ 2$/);
    execFileSync("ln", ["-sfn", "wp-content", join(dir, "link")]);
    expect(await digest(dir)).not.toBe(linked);
  });

  it("leaves out the paths it is told to (what the failback leaves to the primary)", async () => {
    const dir = join(work, "site-excluded");
    mkdirSync(join(dir, "wp-content"), { recursive: true });
    writeFileSync(join(dir, "index.php"), "<?php");
    const without = await digest(dir, "./wp-config.php", "./wp-content/object-cache.php");
    writeFileSync(join(dir, "wp-config.php"), "<?php define('DB_HOST', 'primary');");
    writeFileSync(join(dir, "wp-content/object-cache.php"), "<?php");
    expect(await digest(dir, "./wp-config.php", "./wp-content/object-cache.php")).toBe(without);
    expect(await digest(dir, "./wp-config.php")).not.toBe(without);
  });
});

describe("tree_digest with a cache (tree_digest_cache)", () => {
  const digest = async (dir: string, cache: string | undefined, awk = "/usr/bin/awk") => {
    const bin = join(work, `digest-awk-${awk.split("/").pop()}`);
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, "awk"))) symlinkSync(awk, join(bin, "awk"));
    const r = await runLib(["tree-digest.sh"], 'tree_digest_cache="$CACHE" tree_digest "$1"', [dir], {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      CACHE: cache ?? "",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout.trim();
  };

  for (const awk of ["/usr/bin/mawk", "/usr/bin/gawk"].filter((a) => existsSync(a))) {
    it(`gives the digest of a full read, and sees every change (${awk})`, async () => {
      const dir = join(work, `cached-${awk.split("/").pop()}`);
      const cache = `${dir}.digests`;
      mkdirSync(join(dir, "wp-content/uploads"), { recursive: true });
      writeFileSync(join(dir, "index.php"), "<?php echo 1;");
      writeFileSync(join(dir, "wp-content/uploads/a photo.jpg"), "jpeg");
      writeFileSync(join(dir, "back\\slash.txt"), "b");
      symlinkSync("index.php", join(dir, "link"));
      const full = await digest(dir, undefined, awk);
      expect(await digest(dir, cache, awk)).toBe(full);
      const index = execFileSync("sha256sum", [join(dir, "index.php")], { encoding: "utf8" }).split(" ")[0];
      expect(readFileSync(cache, "utf8")).toMatch(new RegExp(`^${index} \\d+ 13 \\d+\\.\\d+ \\./index\\.php$`, "m"));
      // From the cache this time: the same digest.
      expect(await digest(dir, cache, awk)).toBe(full);

      // The same size, a new time: read again.
      writeFileSync(join(dir, "index.php"), "<?php echo 2;");
      const changed = await digest(dir, undefined, awk);
      expect(changed).not.toBe(full);
      expect(await digest(dir, cache, awk)).toBe(changed);
      // A file replaced by another inode with the old size and time (as rsync leaves it): read again.
      const photo = join(dir, "wp-content/uploads/a photo.jpg");
      writeFileSync(`${photo}.new`, "JPEG");
      execFileSync("touch", ["-r", photo, `${photo}.new`]);
      execFileSync("mv", [`${photo}.new`, photo]);
      const replaced = await digest(dir, undefined, awk);
      expect(replaced).not.toBe(changed);
      expect(await digest(dir, cache, awk)).toBe(replaced);
      // A name with a newline: every file read, as without a cache.
      writeFileSync(join(dir, "new\nline.txt"), "n");
      const odd = await digest(dir, undefined, awk);
      expect(odd).toMatch(/ 5$/);
      expect(await digest(dir, cache, awk)).toBe(odd);
    });
  }
});

describe("wp_cleanup", () => {
  const cleanup = (www: string) => runLib(["common.sh", "wp-cleanup.sh"], 'wp_cleanup "$1"', [www]);

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

  it("removes every Super Cache trace, repoints DB_HOST, and is idempotent", async () => {
    const www = site("cached", true);
    const r = await cleanup(www);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/pra-test: removed the WPSuperCache block/);
    const htaccess = readFileSync(join(www, ".htaccess"), "utf8");
    expect(htaccess).not.toContain("WPSuperCache");
    expect(htaccess).toContain("# BEGIN WordPress");
    const config = readFileSync(join(www, "wp-config.php"), "utf8");
    expect(config).not.toContain("WP_CACHE");
    expect(config).toContain("define( 'DB_HOST', 'localhost' );");
    expect(existsSync(join(www, "wp-content/advanced-cache.php"))).toBe(false);
    expect(existsSync(join(www, "wp-content/object-cache.php"))).toBe(false);
    expect(execFileSync("find", [join(www, "wp-content/cache"), "-type", "f"], { encoding: "utf8" })).toBe("");
    const again = await cleanup(www);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/removed|pointed/);
  });

  it.each([
    "127.0.0.1:13306",
    "127.0.0.1",
    "localhost:/run/mysqld-site/mysqld.sock",
    "localhost:3307",
    "db.lan",
    "[::1]:3306",
  ])("points DB_HOST %j at the standby's own MariaDB ('localhost')", async (primaryHost) => {
    const www = join(work, `db-host-${primaryHost.replace(/[^a-z0-9]/gi, "_")}`);
    mkdirSync(www);
    writeFileSync(join(www, "wp-config.php"), `<?php\ndefine( 'DB_HOST', "${primaryHost}" );\n`);
    const r = await cleanup(www);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/pointed DB_HOST at the standby's own MariaDB/);
    expect(readFileSync(join(www, "wp-config.php"), "utf8")).toBe("<?php\ndefine( 'DB_HOST', 'localhost' );\n");
  });

  it("leaves a copy that has none of it untouched", async () => {
    const www = site("plain", false);
    const before = readFileSync(join(www, "wp-config.php"), "utf8") + readFileSync(join(www, ".htaccess"), "utf8");
    expect((await cleanup(www)).code).toBe(0);
    expect(readFileSync(join(www, "wp-config.php"), "utf8") + readFileSync(join(www, ".htaccess"), "utf8")).toBe(
      before,
    );
  });

  it("never writes through a hard link shared with an older generation", async () => {
    const older = site("older-generation", true);
    const www = join(work, "newer-generation");
    // What rsync --link-dest makes of unchanged files: the same inodes in both generations.
    execFileSync("cp", ["-al", older, www]);
    const files = [
      ".htaccess",
      "wp-config.php",
      "wp-content/advanced-cache.php",
      "wp-content/cache/supercache/blog/index.html",
    ];
    const before = Object.fromEntries(files.map((f) => [f, readFileSync(join(older, f), "utf8")]));
    for (const f of files) expect(statSync(join(www, f)).ino).toBe(statSync(join(older, f)).ino);
    expect((await cleanup(www)).code).toBe(0);
    for (const f of files) expect(readFileSync(join(older, f), "utf8")).toBe(before[f]);
    expect(statSync(join(www, "wp-config.php")).ino).not.toBe(statSync(join(older, "wp-config.php")).ino);
    expect(statSync(join(www, "wp-config.php")).nlink).toBe(1);
  });
});

describe("SQL names", () => {
  const check = (kind: string, value: string) =>
    runLib(["common.sh", "sql-names.sh"], 'sql_name_ok "$1" "$2" "DB_NAME in /x/wp-config.php"', [kind, value]);

  it.each(["wordpress", "wp_blog2", "blog$1", "my-blog", "a".repeat(64)])(
    "accepts the schema name %s",
    async (name) => {
      expect((await check("schema", name)).code).toBe(0);
    },
  );

  it.each(["wp`; DROP DATABASE mysql; --", "it's", "-x", "a b", "a".repeat(65), "", "wp\nx", "ü"])(
    "refuses the schema name %j, naming wp-config.php and the value",
    async (name) => {
      const r = await check("schema", name);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`pra-test: DB_NAME in /x/wp-config.php: '${name}' is not a plain schema name`);
    },
  );

  it("accepts an empty or plain table prefix and refuses anything else", async () => {
    expect((await check("prefix", "")).code).toBe(0);
    expect((await check("prefix", "wp_2_")).code).toBe(0);
    expect((await check("prefix", "wp-")).code).toBe(1);
    expect((await check("prefix", "x`")).code).toBe(1);
  });
});

describe("swap_database", () => {
  // mysql_root stands in for MariaDB here (the lab runs the real one): it lists tables and logs the SQL.
  const fakeMysql = `mysql_root() {
  local sql="\${*: -1}"
  printf '%s\\n' "$sql" >> "$SQL_LOG"
  case "$sql" in
    *"TABLE_SCHEMA = 'wordpress__pra_staging'"*) printf 'wp_posts\\nodd\`name\\n' ;;
    *"TABLE_SCHEMA = 'wordpress'"*) printf 'wp_posts\\n' ;;
  esac
}`;
  const swap = (live: string, staging: string, log: string) =>
    runLib(
      ["common.sh", "sql-names.sh", "swap-database.sh"],
      `${fakeMysql}\nswap_database "$1" "$2"`,
      [live, staging],
      {
        SQL_LOG: log,
      },
    );

  it("renames every table in one statement, quoting table names", async () => {
    const log = join(work, "swap.sql");
    const r = await swap("wordpress", "wordpress__pra_staging", log);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const sql = readFileSync(log, "utf8");
    expect(sql).toContain(
      "RENAME TABLE `wordpress`.`wp_posts` TO `wordpress__pra_old`.`wp_posts`, `wordpress__pra_staging`.`wp_posts` TO `wordpress`.`wp_posts`, `wordpress__pra_staging`.`odd``name` TO `wordpress`.`odd``name`\n",
    );
  });

  it("refuses a schema name that is not plain before any SQL runs", async () => {
    const log = join(work, "swap-refused.sql");
    const r = await swap("word`press", "word`press__pra_staging", log);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("swap_database: the live schema: 'word`press' is not a plain schema name");
    expect(existsSync(log)).toBe(false);
  });
});

describe("rollback_unverified", () => {
  /** A data dir with generations a and b, and the given links (name -> generations/x). */
  const volume = (name: string, links: Record<string, string>) => {
    const data = join(work, name);
    for (const g of ["a", "b"]) mkdirSync(join(data, `generations/${g}/www`), { recursive: true });
    for (const [link, target] of Object.entries(links)) symlinkSync(`generations/${target}`, join(data, link));
    return data;
  };
  const rollback = (data: string) =>
    runLib(
      ["common.sh", "standby-data.sh", "sql-names.sh", "wp-config.sh", "generations.sh"],
      'rollback_unverified; for l in current pending verified; do echo "$l=$(link_of "$l")"; done',
      [],
      { DATA_MOUNT: data },
    );

  it("flips a live pending generation back to the verified one", async () => {
    const r = await rollback(volume("rb-live", { current: "b", pending: "b", verified: "a" }));
    expect(r.stdout).toBe("current=generations/a\npending=\nverified=generations/a\n");
    expect(r.stderr).toBe(
      "pra-test: rolled back: generations/b was live but never verified; generations/a serves again\n",
    );
  });

  it("only forgets a pending generation that never went live (killed before the flip)", async () => {
    const r = await rollback(volume("rb-before", { current: "a", pending: "b", verified: "a" }));
    expect(r.stdout).toBe("current=generations/a\npending=\nverified=generations/a\n");
    expect(r.stderr).toBe("");
  });

  it("keeps the first generation ever live and pending: there is nothing to go back to", async () => {
    const r = await rollback(volume("rb-first", { current: "a", pending: "a" }));
    expect(r.stdout).toBe("current=generations/a\npending=generations/a\nverified=\n");
  });

  it("leaves a failover copy alone: nothing is pending", async () => {
    const r = await rollback(volume("rb-failover", { current: "b", verified: "a" }));
    expect(r.stdout).toBe("current=generations/b\npending=\nverified=generations/a\n");
  });
});

describe("batch_inserts", () => {
  // Debian's default awk is mawk; gawk is common too: the batching must not depend on which one.
  const awks = ["/usr/bin/mawk", "/usr/bin/gawk"].filter((awk) => existsSync(awk));
  const batch = (awk: string, dump: string) => {
    const bin = join(work, `awk-${awk.split("/").pop()}`);
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, "awk"))) symlinkSync(awk, join(bin, "awk"));
    return runScript(
      `set -euo pipefail\nsource ${join(__dirname, "../../sync/scripts/lib/batch-inserts.sh")}\nbatch_inserts\n`,
      [],
      { env: { PATH: `${bin}:${process.env.PATH ?? ""}` }, input: dump },
    );
  };
  const row = (table: string, values: string) => `INSERT INTO \`${table}\` VALUES (${values});`;

  it("finds an awk to test with", () => {
    expect(awks.length).toBeGreaterThan(0);
  });

  for (const awk of awks) {
    it(`joins each table's one-row INSERTs and copies every other line (${awk})`, async () => {
      const dump = [
        "LOCK TABLES `wp_comments` WRITE;",
        "set autocommit=0;",
        row("wp_comments", "1,'a value with ); and INSERT INTO `x` VALUES (2); inside'"),
        row("wp_comments", "2,'line\\nbreak, \\'quoted\\''"),
        row("wp_posts", "7,0x89504E47"),
        "commit;",
        row("wp_posts", "8,NULL"),
        "UNLOCK TABLES;",
        "",
      ].join("\n");
      const r = await batch(awk, dump);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        [
          "LOCK TABLES `wp_comments` WRITE;",
          "set autocommit=0;",
          "INSERT INTO `wp_comments` VALUES (1,'a value with ); and INSERT INTO `x` VALUES (2); inside'),",
          "(2,'line\\nbreak, \\'quoted\\'');",
          "INSERT INTO `wp_posts` VALUES (7,0x89504E47);",
          "commit;",
          "INSERT INTO `wp_posts` VALUES (8,NULL);",
          "UNLOCK TABLES;",
          "",
        ].join("\n"),
      );
    });

    it(`starts a new statement past about 1 MiB (${awk})`, async () => {
      const big = `'${"x".repeat(400_000)}'`;
      const dump = `${[1, 2, 3, 4].map((id) => row("wp_posts", `${id},${big}`)).join("\n")}\n`;
      const r = await batch(awk, dump);
      expect(r.code).toBe(0);
      const statements = r.stdout.split(";\n").filter(Boolean);
      expect(statements.map((s) => (s.match(/\n\(/g) ?? []).length + 1)).toEqual([2, 2]);
      expect(r.stdout.replace(/,\n\(/g, ";\nINSERT INTO `wp_posts` VALUES (")).toBe(dump);
    });
  }
});

describe("apache_mods_on, apache_site_on, apache_site_off", () => {
  it("call a2enmod, a2ensite and a2dissite only for what is not in that state yet", async () => {
    const dir = join(work, "apache-enable");
    const etc = join(dir, "etc");
    mkdirSync(join(etc, "mods-enabled"), { recursive: true });
    mkdirSync(join(etc, "sites-enabled"), { recursive: true });
    writeFileSync(join(etc, "mods-enabled/rewrite.load"), "");
    writeFileSync(join(etc, "sites-enabled/pra-site.conf"), "");
    symlinkSync("../sites-available/gone.conf", join(etc, "sites-enabled/gone.conf"));
    const fake = fakeCommands(dir, { a2enmod: "true", a2ensite: "true", a2dissite: "true" });
    const r = await runLib(
      ["apache-enable.sh"],
      "apache_mods_on rewrite headers ssl; apache_mods_on rewrite; apache_site_on pra-site; apache_site_on pra-preview; apache_site_off pra-preview; apache_site_off gone; apache_site_off pra-site",
      [],
      { PATH: fake.path, PRA_APACHE_ETC: etc },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(fake.calls().map((c) => [c.command, ...c.argv].join(" "))).toEqual([
      "a2enmod -q headers ssl",
      "a2ensite -q pra-preview",
      // pra-preview.conf is not in sites-enabled (the fake a2ensite made no link): nothing to disable.
      "a2dissite -q gone",
      "a2dissite -q pra-site",
    ]);
  });
});
