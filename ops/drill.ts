/**
 * `npm run drill -- [--stack dev] [--work-dir DIR] [--plan-file FILE] [--live]`: proves the failover.
 * Exit codes: ops/exitCodes.ts; how to run it: docs/RUNBOOK.md, "Drills".
 */
import { defaultDeps } from "./deps";
import { runDrill } from "./drillJob";

runDrill(process.argv.slice(2), defaultDeps()).then(
  (code) => process.exit(code),
  (e) => {
    console.error("pra drill: internal error:", e);
    process.exit(1);
  },
);
