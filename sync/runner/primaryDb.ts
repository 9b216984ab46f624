import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { type TableHash, tableHashSql } from "../hashSql";
import { renderReadDbCredentials } from "../primary/dumpDb";
import { type PrimaryAccess, primaryShell } from "./keys";
import { run, startBackground } from "./proc";

export interface DbCredentials {
  name: string;
  user: string;
  password: string;
}

/** The site's own database credentials, read from its wp-config.php on the primary. */
export async function readCredentials(access: PrimaryAccess, webRoot: string): Promise<DbCredentials> {
  const r = await run(primaryShell(access), { input: renderReadDbCredentials(webRoot), timeoutMs: 60_000 });
  if (r.code !== 0)
    throw new Error(`pra-database: cannot read ${webRoot}/wp-config.php on the primary: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as DbCredentials;
}

/** A local unix socket reaching the primary's MariaDB: its own socket, or one forwarded over SSH. */
export async function openDbSocket(
  access: PrimaryAccess,
  dbSocket: string,
): Promise<{ socketPath: string; close(): Promise<void> }> {
  if (!access.primarySsh) return { socketPath: dbSocket, close: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), "pra-db-"));
  const socketPath = join(dir, "mysqld.sock");
  const [ssh, ...args] = access.primarySsh;
  const tunnel = startBackground([
    ssh,
    "-N",
    "-o",
    "ExitOnForwardFailure=yes",
    "-L",
    `${socketPath}:${dbSocket}`,
    ...args,
  ]);
  for (let i = 0; i < 150 && !existsSync(socketPath) && tunnel.running; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const close = async () => {
    await tunnel.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  if (!existsSync(socketPath)) {
    const ended = await tunnel.stop().catch((e: Error) => ({ stderr: e.message }));
    rmSync(dir, { recursive: true, force: true });
    const why = ended.stderr.trim();
    throw new Error(
      `pra-database: could not forward the primary's MariaDB socket ${dbSocket} over SSH${why ? `: ${why}` : ""}`,
    );
  }
  return { socketPath, close };
}

export function connect(socketPath: string, creds: DbCredentials): Promise<mysql.Connection> {
  return mysql.createConnection({
    socketPath,
    user: creds.user,
    password: creds.password,
    database: creds.name,
    charset: "utf8mb4",
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

/** The site's base tables, in name order. */
export async function baseTables(conn: mysql.Connection): Promise<string[]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
  );
  return rows.map((r) => String(r.t));
}

/** The hash SQL of each table, from its current column list. */
export async function hashQueries(conn: mysql.Connection, tables: string[]): Promise<string[]> {
  const queries: string[] = [];
  for (const table of tables) {
    const [cols] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
      [table],
    );
    queries.push(
      tableHashSql(
        table,
        cols.map((c) => String(c.c)),
      ),
    );
  }
  return queries;
}

/** Runs the hash queries (inside whatever transaction the connection has open). */
export async function runHashes(conn: mysql.Connection, queries: string[]): Promise<TableHash[]> {
  const hashes: TableHash[] = [];
  for (const sql of queries) {
    const [[row]] = await conn.query<mysql.RowDataPacket[]>({ sql, rowsAsArray: true });
    const [table, rows, crc32, md5] = row as unknown as string[];
    hashes.push({ table, rows, crc32, md5 });
  }
  return hashes;
}
