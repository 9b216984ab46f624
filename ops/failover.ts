/**
 * `npm run failover -- [--stack dev] [--runner-ip auto|IP|none]`: praActive=true and up, from any
 * machine with this repository, the passphrase, the cloud credentials and the state backend.
 * Exit codes: ops/exitCodes.ts; how to run it: docs/RUNBOOK.md, "Failover from anywhere".
 */
import { defaultDeps } from "./deps";
import { runFailover } from "./failoverJob";

runFailover(process.argv.slice(2), defaultDeps()).then(
  (code) => process.exit(code),
  (e) => {
    console.error("pra failover: internal error:", e);
    process.exit(1);
  },
);
