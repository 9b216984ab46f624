import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { standbyScripts } from "../../sync/standby/install";
import { standbyParams } from "./fixtures";
import { runLib, runScript, workDir } from "./run";
import { receivedRun, standbyData } from "./standbySite";

const work = workDir("fault");
const faultFile = join(work, "fault");
const withFault = (...lines: string[]) => writeFileSync(faultFile, lines.map((l) => `${l}\n`).join(""));

/** Gone, or a zombie waiting for its new parent to reap it: either way it runs no more. */
function stopped(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].startsWith("Z");
  } catch {
    return true;
  }
}

describe("fault_point", () => {
  const point = (env: Record<string, string>) =>
    runLib(
      ["fault-point.sh"],
      `sleep 300 </dev/null >/dev/null 2>&1 &
echo "$!" > ${work}/sibling
fault_point after-something
kill "$!"
echo survived`,
      [],
      { PRA_FAULT_FILE: faultFile, ...env },
    );

  it("does nothing without the fault file, or when no line names this script and point exactly", async () => {
    rmSync(faultFile, { force: true });
    expect((await point({})).stdout).toBe("survived\n");
    withFault("other:after-something", "test:after-something-else", " test:after-something", "test:after");
    const r = await point({});
    expect(r.stdout).toBe("survived\n");
    expect(r.stderr).toBe("");
  });

  it("SIGKILLs the script and its whole process group at the named point, saying so", async () => {
    withFault("pra-switch:after-checks", "test:after-something");
    const r = await point({});
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("pra-test: fault injected at after-something\n");
    const sibling = Number(readFileSync(join(work, "sibling"), "utf8"));
    // SIGKILL takes effect when the kernel next schedules the process: wait for that, not for a time.
    for (let i = 0; i < 500 && !stopped(sibling); i++) await new Promise((r) => setTimeout(r, 10));
    expect(stopped(sibling)).toBe(true);
  });
});

describe("fault points of the standby scripts", () => {
  const scripts = standbyScripts(standbyParams);

  it("pra-switch: after-checks, after-preview, after-flip, then the same run completes", async () => {
    const site = await standbyData(join(work, "switch"), { serving: true });
    const env = site.env({ PRA_FAULT_FILE: faultFile });
    await receivedRun(site.data, "run-1");
    const link = (name: string) => (existsSync(join(site.data, name)) ? readlinkSync(join(site.data, name)) : "");

    withFault("pra-switch:after-checks");
    let r = await runScript(scripts["pra-switch"], ["run-1"], { env });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toMatch(/pra-switch: fault injected at after-checks\n$/);
    expect(existsSync(join(site.data, "incoming/run-1"))).toBe(true);
    expect(existsSync(join(site.data, "generations/run-1"))).toBe(false);
    expect(link("current")).toBe("");
    // The candidate already names its own schema.
    expect(readFileSync(join(site.data, "incoming/run-1/www/wp-config.php"), "utf8")).toContain(
      "define( 'DB_NAME', 'pra_run-1' );",
    );

    withFault("pra-switch:after-preview");
    r = await runScript(scripts["pra-switch"], ["run-1"], { env });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toMatch(/the candidate serves the newest post #7 "Hello" on 127\.0\.0\.2\n/);
    expect(r.stderr).toMatch(/pra-switch: fault injected at after-preview\n$/);
    expect(link("current")).toBe("");
    expect(existsSync(join(work, "switch/pra-preview.conf"))).toBe(false);
    const asked = site.fakes.calls().filter((c) => c.command === "curl");
    expect(asked.map((c) => c.argv.join(" "))).toEqual([
      expect.stringContaining("--resolve blog.example.org:80:127.0.0.2 http://blog.example.org/"),
    ]);

    withFault("pra-switch:after-flip");
    r = await runScript(scripts["pra-switch"], ["run-1"], { env });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toMatch(/^pra-switch: resuming the switch of run run-1\n/);
    expect(r.stderr).toMatch(
      /run run-1 is live, pending its check through the real site\n.*fault injected at after-flip\n$/,
    );
    expect(link("current")).toBe("generations/run-1");
    expect(link("pending")).toBe("generations/run-1");
    expect(link("verified")).toBe("");

    rmSync(faultFile);
    r = await runScript(scripts["pra-switch"], ["run-1"], { env });
    expect(r.stderr).not.toMatch(/fault/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ run: "run-1", bytesSent: 110, tables: { wp_posts: { rows: 1 } } });
    // A killed run's pending generation is handed to pra-activate (which rolls it back) before anything else.
    expect(readFileSync(join(work, "switch/activate.log"), "utf8")).toMatch(
      /\n--check-config .*site\.probe\.conf\n\n--after-switch\n$/,
    );
  });

  it("pra-import: after-staging-load, with the dump loaded and nothing verified", async () => {
    const site = await standbyData(join(work, "import"));
    const incoming = await receivedRun(site.data, "run-1");
    rmSync(join(incoming, "db-verified"));
    execFileSync("bash", ["-c", `echo 'CREATE TABLE t (i INT);' | gzip > ${incoming}/dump.sql.gz`]);
    writeFileSync(join(incoming, "hashes.sql"), "SELECT 1;\n");
    writeFileSync(join(incoming, "primary-hashes.tsv"), "t\t0\t00000000\t0000000000000000\n");
    withFault("pra-import:after-staging-load");
    const r = await runScript(scripts["pra-import"], ["run-1"], { env: site.env({ PRA_FAULT_FILE: faultFile }) });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toMatch(/importing into pra_run-1\npra-import: fault injected at after-staging-load\n$/);
    const load = site.fakes.calls().at(-1);
    expect(load?.argv.at(-1)).toBe("pra_run-1");
    expect(existsSync(join(incoming, "standby-hashes.tsv"))).toBe(false);
    expect(existsSync(join(incoming, "db-verified"))).toBe(false);
  });

  it("pra-activate: after-symlink, with the web root pointing into the live generation and Apache untouched", async () => {
    const data = join(work, "activate");
    const webRoot = join(work, "activate-www/blog");
    mkdirSync(join(data, "generations/run-1/www"), { recursive: true });
    execFileSync("ln", ["-s", "generations/run-1", join(data, "current")]);
    withFault("pra-activate:after-symlink");
    const activate = standbyScripts({ ...standbyParams, webRoot })["pra-activate"];
    const r = await runScript(activate, [], { env: { PRA_DATA: data, PRA_FAULT_FILE: faultFile } });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toBe("pra-activate: fault injected at after-symlink\n");
    expect(readlinkSync(webRoot)).toBe(`${data}/current/www`);
  });
});
