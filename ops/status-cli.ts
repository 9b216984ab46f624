/**
 * `npm run status -- [--stack dev] [--work-dir DIR] [--json]`: what the standby holds and what needs
 * attention, read from the state without booting anything. Exit codes: CheckExitCode in ops/exitCodes.ts.
 * (ops/status.ts is the status FILE the nightly job writes.)
 */
import { defaultDeps } from "./deps";
import { runStatus } from "./statusJob";

runStatus(process.argv.slice(2), { ...defaultDeps(), env: process.env }).then(
  (code) => process.exit(code),
  (e) => {
    console.error("pra status: internal error:", e);
    process.exit(2);
  },
);
