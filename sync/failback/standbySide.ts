import { layout } from "../layout";
import { renderScript } from "../scripts";

const data = { DATA_MOUNT: layout.data };
/** The failback's scripts all speak as pra-failback. */
const tag = { tag: "pra-failback" };

/** What changed on the standby since its recovery point: tab-separated lines kind, id, detail... */
export function renderChangesReport(): string {
  return renderScript("failback/changes-report", data, tag);
}

/** Puts WordPress on the standby into (or out of) maintenance while its data is copied back. */
export function renderMaintenance(on: boolean): string {
  return renderScript("failback/maintenance", { ...data, MAINTENANCE: on ? "on" : "off" }, tag);
}

/** Base tables and their columns in the standby's live schema, for the hash SQL. */
export function renderColumnList(): string {
  return renderScript("failback/column-list", data, tag);
}

/** Runs hash SQL (on stdin) against the standby's live schema. */
export function renderRunHashes(): string {
  return renderScript("failback/run-hashes", data, tag);
}

/** Streams a consistent dump of the standby's live schema to stdout, compressed. */
export function renderDumpStandby(): string {
  return renderScript("failback/dump-standby", data, tag);
}
