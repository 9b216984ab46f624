/**
 * The failback's data path as `npm run failback` runs it, for a test that must run it from the stand-in
 * cloud's outside (the admin address, in its own network namespace): {plan, secrets} as JSON on stdin,
 * the report on stdout.
 */
import type { StepInput } from "../../../sync/plan";
import { failbackData } from "../../../sync/runner/failback";
import { sshKit } from "../../../sync/runner/keys";

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as StepInput;
  const kit = sshKit(input);
  try {
    await failbackData(input, kit, (line) => console.log(line));
  } finally {
    await kit.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
