/**
 * `npm run failback -- [--stack dev] [--work-dir DIR]`: the standby's data back to the primary, then
 * praActive=false. Exit codes: ops/exitCodes.ts; how to run it: docs/RUNBOOK.md, "Failback".
 */
import { failbackData } from "../sync/runner/failback";
import { defaultDeps } from "./deps";
import { runFailback } from "./failbackJob";

runFailback(process.argv.slice(2), defaultDeps(), failbackData).then(
  (code) => process.exit(code),
  (e) => {
    console.error("pra failback: internal error:", e);
    process.exit(1);
  },
);
