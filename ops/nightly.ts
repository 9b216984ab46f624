/**
 * `npm run sync:nightly -- [--stack dev] [--work-dir DIR] [--force]`: the nightly copy of the primary to
 * the standby. Exit codes: ops/exitCodes.ts; how to run it: docs/RUNBOOK.md, "Nightly sync".
 */
import { defaultDeps } from "./deps";
import { runNightly } from "./nightlyJob";

runNightly(process.argv.slice(2), defaultDeps()).then(
  (code) => process.exit(code),
  (e) => {
    // runNightly handles its own errors; this is a bug, and the instance state is unknown.
    console.error("pra nightly: internal error:", e);
    process.exit(1);
  },
);
