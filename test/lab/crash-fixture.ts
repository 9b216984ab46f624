// Starts a lab and never stops it: lab.test.ts kills this process with SIGKILL to play a crashed run.
import { startLab } from "./lab";

startLab().then(
  (lab) => {
    process.stdout.write(`READY ${lab.dir}\n`);
    setInterval(() => undefined, 60_000);
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
