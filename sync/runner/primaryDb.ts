import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { type DbEndpoint, describeEndpoint, resolveDbEndpoint } from "../dbEndpoint";
import { type TableHash, tableHashSql } from "../hashSql";
import type { PrimarySide } from "../plan";
import { renderReadDbCredentials } from "../primary/dumpDb";
import { type PrimaryAccess, primaryShell } from "./keys";
import { run } from "./proc";

export interface DbCredentials {
  name: string;
  user: string;
  password: string;
}

/** The primary's database: the site's own credentials and the one server every tool reaches. */
export interface PrimaryDb extends DbCredentials {
  endpoint: DbEndpoint;
}

/**
 * Resolves the primary's database ONCE for a step: credentials and DB_HOST from the site's own
 * wp-config.php, DB_HOST read as WordPress reads it (a plain `localhost` means pra:primaryDbSocket).
 */
export async function resolvePrimaryDb(
  access: PrimaryAccess,
  side: Pick<PrimarySide, "webRoot" | "dbSocket">,
): Promise<PrimaryDb> {
  const r = await run(primaryShell(access), { input: renderReadDbCredentials(side.webRoot), timeoutMs: 60_000 });
  if (r.code !== 0)
    throw new Error(`pra-database: cannot read ${side.webRoot}/wp-config.php on the primary: ${r.stderr.trim()}`);
  const { name, user, password, host } = JSON.parse(r.stdout) as DbCredentials & { host: string };
  return { name, user, password, endpoint: resolveDbEndpoint(host, side.dbSocket) };
}

/** Where mysql2 connects: the endpoint itself, or (ssh source) a local socket forwarded to it. */
export interface DbLink {
  target: { socketPath: string } | { host: string; port: number };
  close(): Promise<void>;
}

/**
 * Reaches the endpoint from here: directly for a local source; for the ssh source through an SSH
 * forward from a private local socket to the primary's socket, or to its host and port (as the
 * primary sees them: 127.0.0.1 there is the primary itself).
 */
export async function openDbLink(access: PrimaryAccess, endpoint: DbEndpoint): Promise<DbLink> {
  if (!access.primarySsh) {
    const target =
      endpoint.kind === "socket" ? { socketPath: endpoint.path } : { host: endpoint.host, port: endpoint.port };
    return { target, close: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "pra-db-"));
  const socketPath = join(dir, "mysqld.sock");
  const remote =
    endpoint.kind === "socket"
      ? endpoint.path
      : `${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  const forward = ["-L", `${socketPath}:${remote}`];
  const [ssh, ...args] = access.primarySsh;
  const fail = async (why: string) => {
    rmSync(dir, { recursive: true, force: true });
    return new Error(
      `pra-database: could not forward the primary's MariaDB (${describeEndpoint(endpoint)}) over SSH${why ? `: ${why}` : ""}`,
    );
  };
  // The forward rides the step's one connection to the primary: up the master if need be, then add it.
  const up = await run([...access.primarySsh, "true"], { timeoutMs: 60_000 });
  if (up.code !== 0) throw await fail(up.stderr.trim());
  const added = await run([ssh, "-O", "forward", ...forward, ...args], { timeoutMs: 60_000 });
  if (added.code !== 0 || !existsSync(socketPath)) throw await fail(added.stderr.trim());
  return {
    target: { socketPath },
    close: async () => {
      await run([ssh, "-O", "cancel", ...forward, ...args], { timeoutMs: 10_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function connect(link: DbLink, db: DbCredentials): Promise<mysql.Connection> {
  return mysql.createConnection({
    ...link.target,
    user: db.user,
    password: db.password,
    database: db.name,
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
