// Runs a command that would outlive us, then waits: signals.test.ts signals this process.
import { writeFileSync } from "node:fs";
import { run, stopChildrenOnSignals } from "../../sync/runner/proc";

const [cleanedFile = ""] = process.argv.slice(2);
stopChildrenOnSignals(() => writeFileSync(cleanedFile, "cleaned\n"));
void run(["sh", "-c", "sleep 300 & echo $!; wait"], { onStdout: (chunk) => process.stdout.write(chunk) });
