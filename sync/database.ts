import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { hashesTsv, type TableHash, tableHashSql } from "./hashSql";
import { primaryShell, type SshKit } from "./keys";
import { layout } from "./layout";
import type { StepInput } from "./plan";
import { renderDumpDb, renderReadDbCredentials, SNAPSHOT_STARTED } from "./primary/dumpDb";
import { run } from "./proc";

interface DbCredentials {
  name: string;
  user: string;
  password: string;
}

/** A local unix socket reaching the primary's MariaDB: its own socket, or one forwarded over SSH. */
async function openDbSocket(input: StepInput, kit: SshKit): Promise<{ socketPath: string; close(): void }> {
  if (!kit.primarySsh) return { socketPath: input.plan.dbSocket, close() {} };
  const dir = mkdtempSync(join(tmpdir(), "pra-db-"));
  const socketPath = join(dir, "mysqld.sock");
  const [ssh, ...args] = kit.primarySsh;
  const { spawn } = await import("node:child_process");
  const tunnel = spawn(
    ssh,
    ["-N", "-o", "ExitOnForwardFailure=yes", "-L", `${socketPath}:${input.plan.dbSocket}`, ...args],
    {
      stdio: "ignore",
    },
  );
  const { existsSync } = await import("node:fs");
  for (let i = 0; i < 100 && !existsSync(socketPath); i++) {
    if (tunnel.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!existsSync(socketPath)) {
    tunnel.kill();
    throw new Error(`pra-database: could not forward the primary's MariaDB socket ${input.plan.dbSocket} over SSH`);
  }
  return {
    socketPath,
    close() {
      tunnel.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function readCredentials(input: StepInput, kit: SshKit): Promise<DbCredentials> {
  const r = await run(primaryShell(kit), { input: renderReadDbCredentials(input.plan.webRoot), timeoutMs: 60_000 });
  if (r.code !== 0)
    throw new Error(`pra-database: cannot read ${input.plan.webRoot}/wp-config.php on the primary: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as DbCredentials;
}

async function send(kit: SshKit, run_: string, name: string, body: string): Promise<void> {
  const r = await run([...kit.standbySsh, `sudo -n ${layout.bin}/pra-receive ${run_} ${name}`], {
    input: body,
    timeoutMs: 300_000,
  });
  if (r.code !== 0) throw new Error(`pra-database: sending ${name} to the standby failed: ${r.stderr.trim()}`);
}

/**
 * Copies the database: read-locks the site's tables for the instant it takes to open two snapshots
 * (ours for hashing, mariadb-dump's for the dump), so both see exactly the same data; streams the
 * dump to the standby; hashes every table inside our snapshot; sends the hash SQL and results.
 */
export async function pushDatabase(input: StepInput, kit: SshKit): Promise<void> {
  const { plan } = input;
  const creds = await readCredentials(input, kit);
  const socket = await openDbSocket(input, kit);
  const options = { socketPath: socket.socketPath, user: creds.user, password: creds.password, database: creds.name };
  const locker = await mysql.createConnection({ ...options, charset: "utf8mb4" });
  const reader = await mysql.createConnection({
    ...options,
    charset: "utf8mb4",
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    const [tableRows] = await locker.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    );
    const tables = tableRows.map((r) => String(r.t));
    if (tables.length === 0)
      throw new Error(`pra-database: database ${creds.name} on the primary has no tables: nothing to copy`);
    await locker.query(`LOCK TABLES ${tables.map((t) => `\`${t.replace(/`/g, "``")}\` READ`).join(", ")}`);
    let locked = true;
    const unlock = async () => {
      if (!locked) return;
      locked = false;
      await locker.query("UNLOCK TABLES");
    };
    await reader.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    await reader.query("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    const [[now]] = await reader.query<mysql.RowDataPacket[]>(
      "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ') AS t",
    );
    const snapshotTime = String(now.t);

    let dumpBytes = 0;
    const dump = run(primaryShell(kit), {
      input: renderDumpDb({
        run: plan.run,
        standby: plan.standby,
        standbyPrivateKey: input.secrets.standbyPrivateKey,
        webRoot: plan.webRoot,
      }),
      timeoutMs: 6 * 3600_000,
      onStderr: (chunk) => {
        if (chunk.includes(SNAPSHOT_STARTED)) void unlock();
        const got = /received dump\.sql\.gz \((\d+) bytes\)/.exec(chunk);
        if (got) dumpBytes = Number(got[1]);
      },
    });
    const hashes: TableHash[] = [];
    const sql: string[] = [];
    for (const table of tables) {
      const [cols] = await reader.query<mysql.RowDataPacket[]>(
        "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
        [table],
      );
      const query = tableHashSql(
        table,
        cols.map((c) => String(c.c)),
      );
      sql.push(query);
    }
    const result = await dump;
    await unlock();
    if (result.code !== 0) {
      const why = result.stderr
        .split("\n")
        .filter((l) => !l.startsWith("-- "))
        .join("\n")
        .trim();
      throw new Error(`pra-database: the dump failed (exit ${result.code}): ${why}`);
    }
    for (const query of sql) {
      const [[row]] = await reader.query<mysql.RowDataPacket[]>({ sql: query, rowsAsArray: true });
      const [table, rows, crc32, md5] = row as unknown as string[];
      hashes.push({ table, rows, crc32, md5 });
    }
    await reader.query("COMMIT");
    await send(kit, plan.run, "hashes.sql", `${sql.join("\n")}\n`);
    await send(kit, plan.run, "primary-hashes.tsv", hashesTsv(hashes));
    await send(kit, plan.run, "db.json", `${JSON.stringify({ snapshotTime, dumpBytes, tables: tables.length })}\n`);
    const rows = hashes.reduce((n, h) => n + Number(h.rows), 0);
    console.log(
      `pra-database: ${tables.length} tables, ${rows} rows, snapshot ${snapshotTime}, dump ${dumpBytes} bytes compressed`,
    );
  } finally {
    await locker.end().catch(() => {});
    await reader.end().catch(() => {});
    socket.close();
  }
}
