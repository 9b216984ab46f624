import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderImportBack } from "../../sync/failback/primarySide";
import { renderChangesReport, renderMaintenance } from "../../sync/failback/standbySide";
import { fakeCommands, runScript, workDir } from "./run";
import { wpConfig } from "./standbySite";

const work = workDir("failback");

/** A standby data dir whose live generation is a failover copy, with its wp-config.php and record. */
function failedOver(name: string, config: string, snapshotTime = "2026-11-25T03:04:05.123456Z") {
  const data = join(work, name);
  const www = join(data, "generations/failover-1/www");
  mkdirSync(join(www, "wp-content/uploads"), { recursive: true });
  writeFileSync(join(www, "wp-config.php"), config);
  writeFileSync(join(data, "generations/failover-1/record.json"), JSON.stringify({ snapshotTime }));
  symlinkSync("generations/failover-1", join(data, "current"));
  mkdirSync(join(data, "bin"));
  copyFileSync(join(__dirname, "../../sync/scripts/pra-wpconfig.php"), join(data, "bin/pra-wpconfig.php"));
  const fakes = fakeCommands(join(work, `${name}-fakes`), { mariadb: 'cat > "$call.stdin"' });
  return { data, www, fakes, env: { PRA_DATA: data, PATH: fakes.path } };
}

describe("maintenance", () => {
  it("on: WordPress answers 503 with a far-future stamp; off: gone; off again: still fine", async () => {
    const site = failedOver("maintenance", wpConfig("wordpress"));
    const file = join(site.www, ".maintenance");
    expect((await runScript(renderMaintenance(true), [], { env: site.env })).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("<?php $upgrading = 4102444800; // PRA failback in progress\n");
    expect(statSync(file).uid).toBe(Number(execFileSync("id", ["-u", "www-data"], { encoding: "utf8" })));
    expect(
      execFileSync("php", ["-r", `include '${file}'; echo $upgrading > time() ? "ahead" : "past";`]).toString(),
    ).toBe("ahead");
    expect((await runScript(renderMaintenance(false), [], { env: site.env })).code).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect((await runScript(renderMaintenance(false), [], { env: site.env })).code).toBe(0);
  });
});

describe("the changes report", () => {
  it("asks MariaDB for what changed after the recovery point's snapshot, in the live schema", async () => {
    const site = failedOver("changes", wpConfig("wordpress", "blog_"));
    const r = await runScript(renderChangesReport(), [], { env: site.env });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("since\t2026-11-25 03:04:05\n");
    const [query] = site.fakes.calls();
    expect(query.argv).toEqual(["-N", "-B", "wordpress"]);
    const sql = readFileSync(`${query.file}.stdin`, "utf8");
    expect(sql).toContain("FROM `blog_posts`\n  WHERE post_modified_gmt > '2026-11-25 03:04:05'");
    expect(sql).toContain("FROM `blog_comments` WHERE comment_date_gmt > '2026-11-25 03:04:05'");
  });

  it("refuses a table prefix that is not plain, before any SQL", async () => {
    const site = failedOver("changes-prefix", wpConfig("wordpress", "wp_`; DROP TABLE wp_users; --"));
    const r = await runScript(renderChangesReport(), [], { env: site.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pra-failback: $table_prefix in ${site.data}/current/www/wp-config.php: 'wp_\``);
    expect(site.fakes.calls()).toEqual([]);
  });

  it("refuses a record whose snapshot time is not a time, before any SQL", async () => {
    const site = failedOver("changes-time", wpConfig("wordpress"), "2026-11-25' OR '1'='1");
    const r = await runScript(renderChangesReport(), [], { env: site.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/record\.json: snapshotTime .* is not a UTC time: refusing to use it in SQL/);
    expect(site.fakes.calls()).toEqual([]);
  });
});

const siteSocket = { kind: "socket", path: "/run/mysqld-site/mysqld.sock" } as const;

describe("import-back on the primary", () => {
  it("refuses the primary's database name when it is not plain, before any SQL", async () => {
    const webRoot = join(work, "primary-www");
    mkdirSync(webRoot, { recursive: true });
    writeFileSync(join(webRoot, "wp-config.php"), wpConfig("wp`x"));
    const fakes = fakeCommands(join(work, "import-back-fakes"), { mariadb: 'cat > "$call.stdin"' });
    const script = renderImportBack({ webRoot, hashSql: "SELECT 1;", expectedTsv: "t\t1\n", db: siteSocket });
    const r = await runScript(script, [], { env: { PATH: fakes.path } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pra-failback: DB_NAME in ${webRoot}/wp-config.php: 'wp\`x' is not a plain schema name`);
    expect(fakes.calls()).toEqual([]);
  });

  it("reaches the server the sync resolved, as root, on every call", async () => {
    const webRoot = join(work, "primary-www-resolved");
    mkdirSync(webRoot, { recursive: true });
    writeFileSync(join(webRoot, "wp-config.php"), wpConfig("wordpress"));
    // The option file lives in the script's private temp dir, gone at exit: the fake keeps a copy.
    const fakes = fakeCommands(join(work, "import-back-resolved"), {
      mariadb: `for a in "$@"; do case $a in --defaults-extra-file=*) cp "\${a#*=}" "$call.cnf" ;; esac; done
cat > /dev/null`,
      gunzip: "cat > /dev/null",
    });
    const script = renderImportBack({ webRoot, hashSql: "SELECT 1;", expectedTsv: "t\t1\n", db: siteSocket });
    const r = await runScript(script, [], { env: { PATH: fakes.path }, input: "" });
    // The fake returns no hashes: the copy does not match, and nothing is swapped in.
    expect(r.stderr).toMatch(/the copied database differs/);
    const calls = fakes.calls().filter((c) => c.command === "mariadb");
    expect(calls.length).toBeGreaterThan(2);
    for (const call of calls) {
      expect(call.argv[0]).toMatch(/^--defaults-extra-file=/);
      expect(readFileSync(`${call.file}.cnf`, "utf8")).toBe(
        "[client]\nprotocol=SOCKET\nsocket=/run/mysqld-site/mysqld.sock\n",
      );
    }
  });
});
