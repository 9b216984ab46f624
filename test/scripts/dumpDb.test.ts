import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderDumpDb } from "../../sync/primary/dumpDb";
import { standbyScripts } from "../../sync/standby/install";
import { fakeKey, standby, standbyParams } from "./fixtures";
import { fakeCommands, runScript, workDir } from "./run";
import { wpConfig } from "./standbySite";

const work = workDir("dump");
const receiver = join(work, "pra-receive");
writeFileSync(receiver, standbyScripts(standbyParams)["pra-receive"]);

/**
 * dump-db on the primary against the real pra-receive: ssh stands in for the network by running the
 * remote pra-receive command here (PRA_DATA is the standby's data dir); mariadb-dump prints a dump,
 * then exits with FAKE_DUMP_EXIT (a dump that fails midway has already sent part of itself).
 */
function primary(name: string) {
  const webRoot = join(work, name, "www");
  mkdirSync(webRoot, { recursive: true });
  writeFileSync(join(webRoot, "wp-config.php"), wpConfig("wordpress"));
  const data = join(work, name, "standby");
  const fakes = fakeCommands(join(work, name), {
    "mariadb-dump": `cp "\${1#--defaults-file=}" "$call.cnf"
echo "CREATE TABLE wp_posts (id INT);"
echo "INSERT INTO wp_posts VALUES (1);"
exit "\${FAKE_DUMP_EXIT:-0}"`,
    ssh: `remote="\${*: -1}"
case "$remote" in
  *pra-receive*) read -r -a words <<< "\${remote#*pra-receive }"; exec bash ${receiver} "\${words[@]}" ;;
esac
cat > /dev/null`,
  });
  const dump = (env: Record<string, string> = {}) =>
    runScript(
      renderDumpDb({
        run: "run-1",
        standby,
        standbyPrivateKey: fakeKey,
        webRoot,
        db: { kind: "tcp", host: "127.0.0.1", port: 13306 },
      }),
      [],
      { env: { PATH: fakes.path, PRA_DATA: data, ...env } },
    );
  return { dump, fakes, incoming: join(data, "incoming/run-1") };
}

describe("dump-db: the dump is stored only when it completed", () => {
  it("a whole dump is committed with the sha256 of what was sent, from the resolved server", async () => {
    const p = primary("whole");
    const r = await p.dump();
    expect(r.stderr).toMatch(/pra-receive: received dump\.sql\.gz \(\d+ bytes\)/);
    expect(r.code).toBe(0);
    expect(readdirSync(p.incoming)).toEqual(["dump.sql.gz"]);
    expect(execFileSync("gunzip", ["-c", join(p.incoming, "dump.sql.gz")], { encoding: "utf8" })).toBe(
      "CREATE TABLE wp_posts (id INT);\nINSERT INTO wp_posts VALUES (1);\n",
    );
    const dumpCall = p.fakes.calls().find((c) => c.command === "mariadb-dump");
    expect(dumpCall?.argv[0]).toMatch(/^--defaults-file=/);
    // The site's own credentials and the resolved endpoint, in the option file; nothing on argv.
    expect(readFileSync(`${dumpCall?.file}.cnf`, "utf8")).toBe(
      '[client]\nuser="wp"\npassword="secret"\nprotocol=TCP\nhost=127.0.0.1\nport=13306\n',
    );
    expect(dumpCall?.argv.join(" ")).not.toContain("secret");
    const remote = p.fakes
      .calls()
      .filter((c) => c.command === "ssh")
      .map((c) => c.argv[c.argv.length - 1]);
    expect(remote).toEqual([
      expect.stringMatching(/pra-receive run-1 dump\.sql\.gz --partial$/),
      expect.stringMatching(/pra-receive run-1 dump\.sql\.gz --commit [0-9a-f]{64}$/),
    ]);
  });

  it("a dump that fails midway stores nothing, and says which stage failed", async () => {
    const p = primary("midway");
    const r = await p.dump({ FAKE_DUMP_EXIT: "2" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pra-dump-db: mariadb-dump failed (exit 2): the standby stores no dump of run run-1");
    expect(existsSync(join(p.incoming, "dump.sql.gz"))).toBe(false);
    expect(readdirSync(p.incoming)).toEqual([]);
    const remote = p.fakes
      .calls()
      .filter((c) => c.command === "ssh")
      .map((c) => c.argv[c.argv.length - 1]);
    expect(remote.some((c) => c.includes("--commit"))).toBe(false);
  });
});
