/**
 * Runs the nightly job or the drill in a child process for the tests that need a real process: signals,
 * concurrent runs. Same as ops/nightly.ts and drill.ts, except the fingerprint comes from
 * FAKE_FINGERPRINT (JSON) and teardown retries do not wait.
 */

import { defaultDeps } from "../../ops/deps";
import { runDrill } from "../../ops/drillJob";
import { runNightly } from "../../ops/nightlyJob";
import type { Fingerprint } from "../../sync/runner/fingerprint";

const [job, ...argv] = process.argv.slice(2);
const deps = {
  ...defaultDeps(),
  fingerprint: async (): Promise<Fingerprint> => {
    const raw = process.env.FAKE_FINGERPRINT;
    if (!raw) throw new Error("ssh: connect to host primary port 22: Connection refused");
    return JSON.parse(raw) as Fingerprint;
  },
  retryDelayMs: 0,
};
(job === "drill" ? runDrill(argv, deps) : runNightly(argv, deps)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(99);
  },
);
