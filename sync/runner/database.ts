import { createHash } from "node:crypto";
import { describeEndpoint } from "../dbEndpoint";
import { hashesTsv } from "../hashSql";
import { layout } from "../layout";
import type { StepInput } from "../plan";
import { DUMP_SENT, renderDumpDb, SNAPSHOT_STARTED } from "../primary/dumpDb";
import { primaryShell, type SshKit } from "./keys";
import { baseTables, connect, hashQueries, openDbLink, resolvePrimaryDb, runHashes } from "./primaryDb";
import { run } from "./proc";

/** Stores `body` as incoming/<run>/<name> on the standby, only if it arrives whole (its sha256 checked there). */
async function send(kit: SshKit, runId: string, name: string, body: string): Promise<void> {
  const sha256 = createHash("sha256").update(body).digest("hex");
  const r = await run([...kit.standbySsh, `sudo -n ${layout.bin}/pra-receive ${runId} ${name} --sha256 ${sha256}`], {
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
  // The connection to the standby (the hashes travel on it at the end) is set up while the primary works.
  const standbyConnected = run([...kit.standbySsh, "true"], { timeoutMs: 60_000 }).catch(() => undefined);
  try {
    await copyDatabase(input, kit, standbyConnected);
  } finally {
    await standbyConnected;
  }
}

async function copyDatabase(input: StepInput, kit: SshKit, standbyConnected: Promise<unknown>): Promise<void> {
  const { plan } = input;
  // One resolution for the lock, the hashes and the dump: all three reach the same server.
  const db = await resolvePrimaryDb(kit, plan);
  const link = await openDbLink(kit, db.endpoint);
  const locker = await connect(link, db).catch(async (e: Error) => {
    await link.close();
    throw new Error(
      `pra-database: cannot connect to the primary's MariaDB (${describeEndpoint(db.endpoint)}): ${e.message}`,
    );
  });
  const reader = await connect(link, db);
  try {
    const tables = await baseTables(locker);
    if (tables.length === 0)
      throw new Error(`pra-database: database ${db.name} on the primary has no tables: nothing to copy`);
    await locker.query(`LOCK TABLES ${tables.map((t) => `\`${t.replace(/`/g, "``")}\` READ`).join(", ")}`);
    let locked = true;
    const unlock = async () => {
      if (!locked) return;
      locked = false;
      await locker.query("UNLOCK TABLES");
    };
    await reader.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    await reader.query("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    const [[now]] = await reader.query<import("mysql2/promise").RowDataPacket[]>(
      "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ') AS t",
    );
    const snapshotTime = String(now.t);

    const dump = run(primaryShell(kit), {
      input: renderDumpDb({
        run: plan.run,
        standby: plan.standby,
        standbyPrivateKey: input.secrets.standbyPrivateKey,
        webRoot: plan.webRoot,
        db: db.endpoint,
        ioTimeoutSeconds: plan.ioTimeoutSeconds,
      }),
      timeoutMs: 6 * 3600_000,
      onStderr: (chunk) => {
        // The dump's own snapshot exists from here on: writers may go on.
        if (chunk.includes(SNAPSHOT_STARTED)) void unlock();
      },
    });
    const queries = await hashQueries(reader, tables);
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
    const sent = DUMP_SENT.exec(result.stdout);
    if (!sent) throw new Error(`pra-database: the dump did not report what it sent: ${result.stdout.trim()}`);
    const bytesSent = Number(sent[1]);
    const dumpBytes = Number(sent[2]);
    const hashes = await runHashes(reader, queries);
    await reader.query("COMMIT");
    await standbyConnected;
    // Three sessions of the one connection at once: pra-import looks for all three, in no order.
    await Promise.all([
      send(kit, plan.run, "hashes.sql", `${queries.join("\n")}\n`),
      send(kit, plan.run, "primary-hashes.tsv", hashesTsv(hashes)),
      send(
        kit,
        plan.run,
        "db.json",
        `${JSON.stringify({ snapshotTime, bytesSent, dumpBytes, tables: tables.length })}\n`,
      ),
    ]);
    const rows = hashes.reduce((n, h) => n + Number(h.rows), 0);
    console.log(
      `pra-database: ${tables.length} tables, ${rows} rows, snapshot ${snapshotTime}, dump ${bytesSent} bytes sent (${dumpBytes} bytes uncompressed)`,
    );
  } finally {
    await locker.end().catch(() => {});
    await reader.end().catch(() => {});
    await link.close();
  }
}
