import { renderImportBack, renderPullFiles, renderSafetyCopy } from "../failback/primarySide";
import {
  renderChangesReport,
  renderColumnList,
  renderDumpStandby,
  renderMaintenance,
  renderRunHashes,
} from "../failback/standbySide";
import { hashesTsv, type TableHash, tableHashSql } from "../hashSql";
import { shq } from "../layout";
import type { StepInput } from "../plan";
import { primaryCommand, primaryShell, type SshKit } from "./keys";
import { resolvePrimaryDb } from "./primaryDb";
import { run, runPipeline } from "./proc";

export class PrimaryUnreachable extends Error {}

type Log = (line: string) => void;

async function onStandby(kit: SshKit, script: string, what: string, input?: string): Promise<string> {
  const r = await run([...kit.standbySsh, `sudo -n bash -c ${shq(script)}`], { input, timeoutMs: 3600_000 });
  if (r.code !== 0) throw new Error(`pra-failback: ${what} on the standby failed: ${r.stderr.trim()}`);
  return r.stdout;
}

async function onPrimary(kit: SshKit, script: string, what: string, log: Log): Promise<void> {
  const r = await run(primaryShell(kit), { input: script, timeoutMs: 6 * 3600_000 });
  if (r.code !== 0) throw new Error(`pra-failback: ${what} on the primary failed: ${r.stderr.trim()}`);
  for (const line of r.stdout.trim().split("\n")) if (line) log(line);
}

/**
 * Copies what the standby holds back onto the primary, with the sync's verification, in this
 * order: the primary must answer; show what changed since the failover; stop writes on the standby;
 * safety copy of the primary; files back (digest-checked); database back (hash-checked, swapped in
 * atomically). On any failure the standby leaves maintenance and keeps serving. Returns the report.
 */
export async function failbackData(input: StepInput, kit: SshKit, log: Log = console.log): Promise<string[]> {
  const { plan } = input;
  const reachable = await run(primaryShell(kit), { input: "true\n", timeoutMs: 60_000 });
  if (reachable.code !== 0) {
    throw new PrimaryUnreachable(
      `pra-failback: the primary does not answer (${reachable.stderr.trim() || `exit ${reachable.code}`}): staying failed over`,
    );
  }
  const changes = (await onStandby(kit, renderChangesReport(), "listing the changes")).trim().split("\n");
  log("pra-failback: changes on the standby since its recovery point:");
  for (const line of changes) log(`  ${line.replace(/\t/g, "  ")}`);

  await onStandby(kit, renderMaintenance(true), "entering maintenance");
  let done = false;
  try {
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z");
    // The primary's server, resolved once: the safety copy is taken from it and the copy goes back into it.
    const { endpoint: db } = await resolvePrimaryDb(kit, plan);
    await onPrimary(kit, renderSafetyCopy({ webRoot: plan.webRoot, stamp, db }), "the safety copy", log);
    await onPrimary(
      kit,
      renderPullFiles({
        standby: plan.standby,
        standbyPrivateKey: input.secrets.standbyPrivateKey,
        webRoot: plan.webRoot,
      }),
      "copying the files back",
      log,
    );

    const columns = new Map<string, string[]>();
    for (const line of (await onStandby(kit, renderColumnList(), "listing columns")).trim().split("\n")) {
      const [table, column] = line.split("\t");
      columns.set(table, [...(columns.get(table) ?? []), column]);
    }
    const hashSql = [...columns].map(([t, cols]) => tableHashSql(t, cols)).join("\n");
    const hashes: TableHash[] = (await onStandby(kit, renderRunHashes(), "hashing the tables", `${hashSql}\n`))
      .trim()
      .split("\n")
      .map((l) => {
        const [table, rows, crc32, md5] = l.split("\t");
        return { table, rows, crc32, md5 };
      });
    const importBack = renderImportBack({ webRoot: plan.webRoot, hashSql, expectedTsv: hashesTsv(hashes), db });
    const copied = await runPipeline(
      [...kit.standbySsh, `sudo -n bash -c ${shq(renderDumpStandby())}`],
      primaryCommand(kit, importBack),
      { timeoutMs: 6 * 3600_000 },
    );
    if (copied.producer.code !== 0 || copied.consumer.code !== 0) {
      const err = `${copied.producer.stderr}${copied.consumer.stderr}`.trim();
      throw new Error(`pra-failback: copying the database back failed: ${err}`);
    }
    for (const line of copied.consumer.stdout.trim().split("\n")) if (line) log(line);
    done = true;
    log("pra-failback: the primary holds the standby's data; the standby stays in maintenance until it is torn down");
    return changes;
  } finally {
    if (!done) await onStandby(kit, renderMaintenance(false), "leaving maintenance").catch(() => {});
  }
}
