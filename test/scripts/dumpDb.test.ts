import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
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
 * dump-db on the primary against the real pra-receive and the real rsync: ssh stands in for the network
 * by running the remote command here, with the standby's data volume (/srv/pra) mapped to PRA_DATA;
 * mariadb-dump prints FAKE_DUMP (a file) and exits with FAKE_DUMP_EXIT (a dump that fails midway has
 * already written part of itself); FAKE_RSYNC_EXIT makes the transfer fail after it sent everything.
 */
function primary(name: string) {
  const webRoot = join(work, name, "www");
  mkdirSync(webRoot, { recursive: true });
  writeFileSync(join(webRoot, "wp-config.php"), wpConfig("wordpress"));
  const data = join(work, name, "standby");
  const fakes = fakeCommands(join(work, name), {
    "mariadb-dump": `cp "\${1#--defaults-file=}" "$call.cnf"
cat "$FAKE_DUMP"
exit "\${FAKE_DUMP_EXIT:-0}"`,
    ssh: `until [ $# -eq 0 ] || [ "$1" = pra@203.0.113.10 ] || [ "$1" = 203.0.113.10 ]; do shift; done; shift
remote="$*"
remote="\${remote//"/srv/pra"/$PRA_DATA}"
read -r -a words <<< "\${remote#sudo -n }"
case "$remote" in
  *pra-receive*) cat > "$call.stdin"; exec bash ${receiver} "\${words[@]:1}" < "$call.stdin" ;;
  *"rsync --server"*) "\${words[@]}"; rc=$?; exit $(( rc ? rc : \${FAKE_RSYNC_EXIT:-0} )) ;;
esac
exit 99`,
  });
  const dump = (sql: string, env: Record<string, string> = {}) => {
    const file = join(work, name, "dump-source.sql");
    writeFileSync(file, sql);
    // As on the primary: the script arrives on stdin (bash -s), where an ssh would read the rest of it.
    const script = join(work, name, "dump-db.sh");
    writeFileSync(
      script,
      renderDumpDb({
        run: "run-1",
        standby,
        standbyPrivateKey: fakeKey,
        webRoot,
        db: { kind: "tcp", host: "127.0.0.1", port: 13306 },
        ioTimeoutSeconds: 300,
      }),
    );
    return runScript(`exec bash -s < ${script}\n`, [], {
      env: { PATH: fakes.path, PRA_DATA: data, FAKE_DUMP: file, ...env },
    });
  };
  const remote = () =>
    fakes
      .calls()
      .filter((c) => c.command === "ssh")
      .map((c) => c.argv.slice(c.argv.findIndex((a) => a.endsWith("203.0.113.10")) + 1).join(" "));
  return { dump, fakes, remote, data, incoming: join(data, "incoming/run-1") };
}

/** A dump of `rows` one-line rows: big enough for rsync's delta to find unchanged blocks. */
function dumpOf(rows: number, changed = -1): string {
  const lines = ["CREATE TABLE wp_comments (id INT PRIMARY KEY, body TEXT);"];
  for (let i = 0; i < rows; i++) {
    const body = i === changed ? "a new reply" : createHash("sha256").update(String(i)).digest("hex");
    lines.push(`INSERT INTO \`wp_comments\` VALUES (${i},'${body}');`);
  }
  return `${lines.join("\n")}\n`;
}

const sentBytes = (stdout: string) => Number(/^pra-dump-db: sent (\d+) bytes; dump \d+ bytes/m.exec(stdout)?.[1]);

describe("dump-db: the dump is stored only when it completed", () => {
  it("a whole dump is committed with the sha256 of what was sent, from the resolved server, one row a line", async () => {
    const p = primary("whole");
    const sql = "CREATE TABLE wp_posts (id INT);\nINSERT INTO wp_posts VALUES (1);\n";
    const r = await p.dump(sql);
    expect(r.stderr).toMatch(/pra-receive: received dump\.sql \(\d+ bytes\)/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^pra-dump-db: sent \\d+ bytes; dump ${sql.length} bytes, sha256 [0-9a-f]{64}$`, "m"),
    );
    expect(readdirSync(p.incoming)).toEqual(["dump.sql"]);
    expect(readFileSync(join(p.incoming, "dump.sql"), "utf8")).toBe(sql);
    const dumpCall = p.fakes.calls().find((c) => c.command === "mariadb-dump");
    expect(dumpCall?.argv[0]).toMatch(/^--defaults-file=/);
    expect(dumpCall?.argv).toEqual(
      expect.arrayContaining(["--skip-extended-insert", "--order-by-primary", "--no-autocommit"]),
    );
    // The site's own credentials and the resolved endpoint, in the option file; nothing on argv.
    expect(readFileSync(`${dumpCall?.file}.cnf`, "utf8")).toBe(
      '[client]\nuser="wp"\npassword="secret"\nprotocol=TCP\nhost=127.0.0.1\nport=13306\n',
    );
    expect(dumpCall?.argv.join(" ")).not.toContain("secret");
    const rsync = p.fakes.calls().find((c) => c.command === "rsync");
    expect(rsync).toBeUndefined(); // the real rsync: only ssh is faked
    expect(p.remote()).toEqual([
      expect.stringMatching(
        /^sudo -n rsync --server .*--copy-dest \/srv\/pra\/current .*\/srv\/pra\/incoming\/run-1\/dump\.sql\.partial\/$/,
      ),
      expect.stringMatching(/pra-receive run-1 dump\.sql --commit [0-9a-f]{64}$/),
    ]);
  });

  it("sends only the changed rows when the live generation holds the previous night's dump", async () => {
    const p = primary("delta");
    const before = dumpOf(20_000);
    const after = dumpOf(20_001, 20_000);
    const first = await p.dump(before);
    expect(first.code).toBe(0);
    expect(sentBytes(first.stdout)).toBeGreaterThan(before.length / 4);
    // The standby makes that run live: the next night's basis.
    mkdirSync(join(p.data, "generations"), { recursive: true });
    renameSync(p.incoming, join(p.data, "generations/run-0"));
    symlinkSync("generations/run-0", join(p.data, "current"));
    const second = await p.dump(after);
    expect(second.code).toBe(0);
    expect(readFileSync(join(p.incoming, "dump.sql"), "utf8")).toBe(after);
    expect(sentBytes(second.stdout)).toBeLessThan(before.length / 100);
  });

  it("a dump that fails midway sends and stores nothing, and says so", async () => {
    const p = primary("midway");
    const r = await p.dump(dumpOf(10), { FAKE_DUMP_EXIT: "2" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pra-dump-db: mariadb-dump failed (exit 2): the standby stores no dump of run run-1");
    expect(existsSync(p.incoming)).toBe(false);
    expect(p.remote()).toEqual([]);
  });

  it("a transfer that fails stores nothing, not even a partial copy", async () => {
    const p = primary("cut");
    const r = await p.dump(dumpOf(10), { FAKE_RSYNC_EXIT: "12" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "pra-dump-db: the transfer to the standby failed (rsync exit 12): the standby stores no dump of run run-1",
    );
    expect(readdirSync(p.incoming)).toEqual([]);
    expect(p.remote().some((c) => c.includes("--commit"))).toBe(false);
  });
});
