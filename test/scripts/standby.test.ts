import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderScript } from "../../sync/scripts";
import { renderInstaller, standbyScripts } from "../../sync/standby/install";
import { standbyParams } from "./fixtures";
import { runScript, workDir } from "./run";
import { receivedRun, standbyData, wpConfig } from "./standbySite";

const work = workDir("standby");
const scripts = standbyScripts(standbyParams);

describe("pra-receive", () => {
  const data = join(work, "receive");

  it("stores stdin as incoming/RUN/NAME and says how many bytes", async () => {
    const r = await runScript(scripts["pra-receive"], ["run-1", "dump.sql.gz"], {
      input: "x".repeat(1000),
      env: { PRA_DATA: data },
    });
    expect(r.stderr).toBe("pra-receive: received dump.sql.gz (1000 bytes)\n");
    expect(r.code).toBe(0);
    expect(readFileSync(join(data, "incoming/run-1/dump.sql.gz"), "utf8")).toBe("x".repeat(1000));
    expect(readdirSync(join(data, "incoming/run-1"))).toEqual(["dump.sql.gz"]);
  });

  it("a stream cut half-way leaves no file under the final name", async () => {
    const file = join(work, "pra-receive.sh");
    writeFileSync(file, scripts["pra-receive"]);
    const child = spawn("bash", [file, "run-cut", "dump.sql.gz"], {
      env: { ...process.env, PRA_DATA: data },
      stdio: ["pipe", "ignore", "ignore"],
    });
    const dir = join(data, "incoming/run-cut");
    child.stdin.write("half of a dump");
    // The partial file exists once the first bytes are stored; then the sender dies (kill -9).
    while (!existsSync(join(dir, "dump.sql.gz.partial")) || statSync(join(dir, "dump.sql.gz.partial")).size === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    expect(existsSync(join(dir, "dump.sql.gz"))).toBe(false);
  });

  const receive = (args: string[], input = "") =>
    runScript(scripts["pra-receive"], args, { input, env: { PRA_DATA: data } });
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");

  it("--sha256: stores only what arrived intact", async () => {
    const body = "hashes\n";
    expect((await receive(["run-sha", "hashes.sql", "--sha256", sha(body)], body)).code).toBe(0);
    expect(readFileSync(join(data, "incoming/run-sha/hashes.sql"), "utf8")).toBe(body);
    const r = await receive(["run-sha", "db.json", "--sha256", sha("all of it")], "half of i");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/db\.json: what arrived \(sha256 [0-9a-f]{64}\) is not what was sent .*: nothing stored/);
    expect(readdirSync(join(data, "incoming/run-sha"))).toEqual(["hashes.sql"]);
  });

  it("--partial keeps the stream aside; --commit with the sender's sha256 makes it the file", async () => {
    const dump = "a whole dump";
    const kept = await receive(["run-two", "dump.sql.gz", "--partial"], dump);
    expect(kept.code).toBe(0);
    expect(readdirSync(join(data, "incoming/run-two"))).toEqual(["dump.sql.gz.partial"]);
    const committed = await receive(["run-two", "dump.sql.gz", "--commit", sha(dump)]);
    expect(committed.stderr).toBe(`pra-receive: received dump.sql.gz (${dump.length} bytes)\n`);
    expect(committed.code).toBe(0);
    expect(readdirSync(join(data, "incoming/run-two"))).toEqual(["dump.sql.gz"]);
    expect(readFileSync(join(data, "incoming/run-two/dump.sql.gz"), "utf8")).toBe(dump);
  });

  it("--commit with another sha256 (not what arrived) stores nothing and drops the partial file", async () => {
    await receive(["run-bad", "dump.sql.gz", "--partial"], "the first half");
    const r = await receive(["run-bad", "dump.sql.gz", "--commit", sha("the first half and the second")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing stored/);
    expect(readdirSync(join(data, "incoming/run-bad"))).toEqual([]);
  });

  it("a new --partial of the same run removes an earlier dump first: a failed retry leaves none", async () => {
    await receive(["run-retry", "dump.sql.gz"], "the first attempt's dump");
    await receive(["run-retry", "dump.sql.gz", "--partial"], "the retry, cut short");
    expect((await receive(["run-retry", "dump.sql.gz", "--discard"])).code).toBe(0);
    expect(readdirSync(join(data, "incoming/run-retry"))).toEqual([]);
  });

  it("--commit takes the dump rsync delivered into a NAME.partial directory (its name kept for the delta basis)", async () => {
    const dump = "INSERT INTO t VALUES (1);\n";
    mkdirSync(join(data, "incoming/run-rsync/dump.sql.partial"), { recursive: true });
    writeFileSync(join(data, "incoming/run-rsync/dump.sql.partial/dump.sql"), dump);
    const r = await receive(["run-rsync", "dump.sql", "--commit", sha(dump)]);
    expect(r.stderr).toBe(`pra-receive: received dump.sql (${dump.length} bytes)\n`);
    expect(readdirSync(join(data, "incoming/run-rsync"))).toEqual(["dump.sql"]);
    expect(readFileSync(join(data, "incoming/run-rsync/dump.sql"), "utf8")).toBe(dump);

    mkdirSync(join(data, "incoming/run-rsync-bad/dump.sql.partial"), { recursive: true });
    writeFileSync(join(data, "incoming/run-rsync-bad/dump.sql.partial/dump.sql"), "INSERT INTO t");
    const bad = await receive(["run-rsync-bad", "dump.sql", "--commit", sha(dump)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/nothing stored/);
    expect(readdirSync(join(data, "incoming/run-rsync-bad"))).toEqual([]);
  });

  it("--commit without a partial file, or without a sha256, refuses", async () => {
    expect((await receive(["run-none", "dump.sql.gz", "--commit", sha("x")])).stderr).toMatch(
      /nothing was received to commit/,
    );
    expect((await receive(["run-none", "dump.sql.gz", "--commit", "abc"])).stderr).toMatch(/needs a sha256/);
    expect((await receive(["run-none", "dump.sql.gz", "--commit-all"])).stderr).toMatch(/usage/);
    expect(existsSync(join(data, "incoming/run-none/dump.sql.gz"))).toBe(false);
  });

  it.each([
    ["../etc", "x"],
    ["run 1", "x"],
    ["a".repeat(65), "x"],
    ["run-1", "../../bin/pra-switch"],
    ["run-1", "a/b"],
  ])("refuses run %j, name %j, storing nothing", async (run, name) => {
    const r = await runScript(scripts["pra-receive"], [run, name], { input: "x", env: { PRA_DATA: data } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pra-receive: bad (run id|file name) '/);
    expect(existsSync(join(data, "bin"))).toBe(false);
  });
});

describe("the installer", () => {
  it("writes every script into bin through a rename, executable, replacing what was there", async () => {
    const data = join(work, "install");
    mkdirSync(join(data, "bin"), { recursive: true });
    writeFileSync(join(data, "bin/pra-switch"), "old pra-switch\n");
    const oldInode = statSync(join(data, "bin/pra-switch")).ino;
    // A reader that has the old script open (bash running it) keeps reading the old text.
    const reader = openSync(join(data, "bin/pra-switch"), "r");
    const r = await runScript(renderInstaller(standbyParams), [], { env: { PRA_DATA: data } });
    expect(r.stderr).toBe(
      `pra-install: 7 of 7 scripts written to ${data}/bin (${Object.keys(scripts).join(" ")}), 0 unchanged\n`,
    );
    expect(r.code).toBe(0);
    expect(readdirSync(join(data, "bin")).sort()).toEqual(Object.keys(scripts).sort());
    for (const [name, text] of Object.entries(scripts)) {
      expect(readFileSync(join(data, "bin", name), "utf8")).toBe(text);
      expect(statSync(join(data, "bin", name)).mode & 0o777).toBe(0o755);
    }
    expect(statSync(join(data, "bin/pra-switch")).ino).not.toBe(oldInode);
    const buf = Buffer.alloc(100);
    expect(buf.toString("utf8", 0, readSync(reader, buf, 0, 100, 0))).toBe("old pra-switch\n");
    expect(readdirSync(data).sort()).toEqual(["bin", "generations", "incoming"]);
  });

  it("leaves scripts whose text and mode are already there alone, and says so", async () => {
    const data = join(work, "install-again");
    const installer = renderInstaller(standbyParams);
    expect((await runScript(installer, [], { env: { PRA_DATA: data } })).code).toBe(0);
    const inodes = Object.fromEntries(Object.keys(scripts).map((n) => [n, statSync(join(data, "bin", n)).ino]));
    writeFileSync(join(data, "bin/pra-import"), "an older pra-import\n", { mode: 0o755 });
    execFileSync("chmod", ["0644", join(data, "bin/pra-verify")]);
    const r = await runScript(installer, [], { env: { PRA_DATA: data } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`pra-install: 2 of 7 scripts written to ${data}/bin (pra-import pra-verify), 5 unchanged\n`);
    for (const [name, text] of Object.entries(scripts)) {
      expect(readFileSync(join(data, "bin", name), "utf8")).toBe(text);
      expect(statSync(join(data, "bin", name)).mode & 0o777).toBe(0o755);
      if (name !== "pra-import" && name !== "pra-verify")
        expect(statSync(join(data, "bin", name)).ino).toBe(inodes[name]);
    }
    expect(readdirSync(join(data, "bin")).filter((f) => f.endsWith(".new"))).toEqual([]);
  });

  it("refuses to write onto an unmounted data volume", async () => {
    const installer = renderScript("standby/install", { DATA_MOUNT: work, SCRIPT_NAMES: ["x"], SCRIPT_BODIES: ["y"] });
    const r = await runScript(installer);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`pra-install: ${work} is not mounted\n`);
  });
});

describe("pra-switch", () => {
  it("refuses a run that would lose too many files, changing nothing", async () => {
    const dir = join(work, "switch-shrink");
    const site = await standbyData(dir);
    const live = await receivedRun(site.data, "run-live", { files: 20 });
    mkdirSync(join(site.data, "generations"), { recursive: true });
    const { renameSync } = await import("node:fs");
    renameSync(live, join(site.data, "generations/run-live"));
    symlinkSync("generations/run-live", join(site.data, "current"));
    await receivedRun(site.data, "run-small", { files: 2 });
    const r = await runScript(scripts["pra-switch"], ["run-small"], { env: site.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing: 18 of 21 files of the live copy would disappear \(limit 10%\)/);
    expect(readlinkSync(join(site.data, "current"))).toBe("generations/run-live");
    expect(existsSync(join(site.data, "incoming/run-small"))).toBe(true);
    expect(site.fakes.calls()).toEqual([]);
  });

  it("refuses files that differ from the primary's digest", async () => {
    const dir = join(work, "switch-digest");
    const site = await standbyData(dir);
    const incoming = await receivedRun(site.data, "run-1");
    writeFileSync(join(incoming, "www/wp-content/uploads/0.txt"), "changed on the way");
    const r = await runScript(scripts["pra-switch"], ["run-1"], { env: site.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pra-switch: files differ from the primary's .*: live copy kept/);
    expect(existsSync(join(site.data, "current"))).toBe(false);
  });
});

describe("pra-import", () => {
  async function importable(name: string, dbName: string) {
    const dir = join(work, name);
    const site = await standbyData(dir);
    const incoming = await receivedRun(site.data, "run-1", { dbName });
    const { execFileSync } = await import("node:child_process");
    execFileSync("bash", ["-c", `echo 'CREATE TABLE t (i INT);' | gzip > ${incoming}/dump.sql.gz`]);
    writeFileSync(join(incoming, "hashes.sql"), "SELECT 1;\n");
    writeFileSync(join(incoming, "primary-hashes.tsv"), "t\t0\t00000000\t0000000000000000\n");
    rmSync(join(incoming, "db-verified"));
    return { site, incoming };
  }

  it("loads the dump into the generation's own schema, by name, never the primary's or the live one", async () => {
    const { site } = await importable("import-ok", "wordpress");
    const r = await runScript(scripts["pra-import"], ["run-1"], { env: site.env() });
    // The fake MariaDB returns no hashes: the comparison fails, after the load.
    expect(r.stderr).toMatch(/pra-import: importing into pra_run-1\n/);
    const load = site.fakes.calls().find((c) => c.argv.at(-1) === "pra_run-1");
    expect(load).toBeDefined();
    expect(r.code).toBe(1);
    expect(site.fakes.calls().some((c) => c.argv.includes("wordpress"))).toBe(false);
  });

  it("a run id that is no schema name (a dot) gets a hashed schema name, still by name", async () => {
    const { site } = await importable("import-dot", "wordpress");
    const { renameSync } = await import("node:fs");
    renameSync(join(site.data, "incoming/run-1"), join(site.data, "incoming/run.1"));
    const r = await runScript(scripts["pra-import"], ["run.1"], { env: site.env() });
    expect(r.stderr).toMatch(/pra-import: importing into pra-[0-9a-f]{32}\n/);
  });

  it("refuses to import over the schema that serves, before any SQL", async () => {
    const { site } = await importable("import-live", "wordpress");
    mkdirSync(join(site.data, "generations/run-1/www"), { recursive: true });
    writeFileSync(join(site.data, "generations/run-1/www/wp-config.php"), wpConfig("pra_run-1"));
    symlinkSync("generations/run-1", join(site.data, "current"));
    const r = await runScript(scripts["pra-import"], ["run-1"], { env: site.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "pra-import: pra_run-1 is the live schema (generations/run-1): refusing to import over it",
    );
    expect(site.fakes.calls()).toEqual([]);
  });
});

describe("pra-import reads the dump as received, or compressed in an older generation", () => {
  it.each([
    ["dump.sql", (f: string) => writeFileSync(f, "CREATE TABLE t (i INT);\n")],
    ["dump.sql.gz", (f: string) => execFileSync("bash", ["-c", `echo 'CREATE TABLE t (i INT);' | gzip > ${f}`])],
  ])("%s", async (name, write) => {
    const dir = join(work, `import-${name}`);
    const site = await standbyData(dir);
    const incoming = await receivedRun(site.data, "run-1");
    write(join(incoming, name));
    writeFileSync(join(incoming, "hashes.sql"), "SELECT 1;\n");
    writeFileSync(join(incoming, "primary-hashes.tsv"), "t\t0\t00000000\t0000000000000000\n");
    rmSync(join(incoming, "db-verified"));
    await runScript(scripts["pra-import"], ["run-1"], { env: site.env() });
    const load = site.fakes.calls().find((c) => c.argv.at(-1) === "pra_run-1");
    expect(readFileSync(`${load?.file}.stdin`, "utf8")).toBe("CREATE TABLE t (i INT);\n");
  });
});

describe("pra-verify", () => {
  it("once a generation is verified, keeps its dump as sent (the next delta basis) and compresses the older ones", async () => {
    const dir = join(work, "verify-compress");
    const site = await standbyData(dir, { serving: true });
    const generation = async (run: string, dump: string) => {
      const received = await receivedRun(site.data, run, { dbName: `pra_${run}` });
      writeFileSync(join(received, "dump.sql"), dump);
      writeFileSync(join(received, "record.json"), `{"run":"${run}"}\n`);
      mkdirSync(join(site.data, "generations"), { recursive: true });
      const { renameSync } = await import("node:fs");
      renameSync(received, join(site.data, "generations", run));
    };
    await generation("run-old", "the older night's dump\n");
    const lastNight = new Date(Date.now() - 86_400_000);
    utimesSync(join(site.data, "generations/run-old"), lastNight, lastNight);
    await generation("run-1", "tonight's dump\n");
    symlinkSync("generations/run-1", join(site.data, "current"));
    symlinkSync("generations/run-1", join(site.data, "pending"));
    const r = await runScript(scripts["pra-verify"], [], { env: site.env() });
    expect(r.stderr).toContain("run-1 is verified live");
    expect(r.code).toBe(0);
    // What `npm run status` lists as restorePoint names, newest first, before the record (the last line).
    expect(r.stdout.trim().split("\n").slice(-2)).toEqual(["recovery-points run-1 run-old", '{"run":"run-1"}']);
    expect(readFileSync(join(site.data, "generations/run-1/dump.sql"), "utf8")).toBe("tonight's dump\n");
    expect(readdirSync(join(site.data, "generations/run-old")).filter((f) => f.startsWith("dump"))).toEqual([
      "dump.sql.gz",
    ]);
    expect(
      execFileSync("gunzip", ["-c", join(site.data, "generations/run-old/dump.sql.gz")], { encoding: "utf8" }),
    ).toBe("the older night's dump\n");
    // Recovery points are ordered by their directory's mtime (ls -t): compressing must not make one newer.
    expect(Math.round(statSync(join(site.data, "generations/run-old")).mtimeMs)).toBe(lastNight.getTime());
  });

  it("refuses a table prefix that is not plain, naming wp-config.php, before any SQL", async () => {
    const dir = join(work, "verify-prefix");
    const site = await standbyData(dir);
    const incoming = await receivedRun(site.data, "run-1");
    writeFileSync(join(incoming, "www/wp-config.php"), wpConfig("wordpress", "wp_`x"));
    writeFileSync(join(incoming, "record.json"), "{}\n");
    symlinkSync(incoming, join(site.data, "current"));
    const r = await runScript(scripts["pra-verify"], [], { env: site.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `pra-verify: $table_prefix in ${site.data}/current/www/wp-config.php: 'wp_\`x' is not a plain prefix name`,
    );
    expect(site.fakes.calls()).toEqual([]);
  });
});
