/**
 * `npm run doctor -- [--stack dev] [--work-dir DIR] [--json]`: read-only preflight, every problem at once
 * with its fix. Exit codes: CheckExitCode in ops/exitCodes.ts.
 */
import { checkPrimary } from "../sync/runner/primaryCheck";
import { defaultDeps } from "./deps";
import { runDoctor } from "./doctorJob";

runDoctor(process.argv.slice(2), { ...defaultDeps(), env: process.env, checkPrimary }).then(
  (code) => process.exit(code),
  (e) => {
    console.error("pra doctor: internal error:", e);
    process.exit(2);
  },
);
