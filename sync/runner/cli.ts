/**
 * Entry point of the sync steps that run where Pulumi runs (the primary itself, or a runner that
 * reaches it over SSH): `tsx sync/runner/cli.ts ready|files|database|health`, with {plan, secrets} as JSON on stdin
 * so that no key or password is ever on a command line.
 */

import type { StepInput } from "../plan";
import { pushDatabase } from "./database";
import { pushFiles } from "./files";
import { checkHealth } from "./health";
import { sshKit } from "./keys";
import { stopChildrenOnSignals } from "./proc";
import { waitForStandby } from "./ready";

const steps = {
  ready: (input: StepInput, kit: ReturnType<typeof sshKit>) => waitForStandby(input.plan, kit.standbySsh),
  files: pushFiles,
  database: pushDatabase,
  health: (input: StepInput) => {
    if (!input.health) throw new Error("pra-health: no health check given");
    return checkHealth(input.plan, input.health);
  },
} as const;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  const step = process.argv[2] as keyof typeof steps;
  if (!(step in steps)) {
    console.error(`usage: tsx sync/runner/cli.ts ${Object.keys(steps).join("|")}  (plan and secrets as JSON on stdin)`);
    process.exit(2);
  }
  const input = JSON.parse(await readStdin()) as StepInput;
  const kit = sshKit(input);
  // Our commands lead process groups of their own: a Ctrl-C or a cancelled run must stop them too, and
  // the key files must not outlive us.
  stopChildrenOnSignals(() => kit.dispose());
  try {
    await steps[step](input, kit);
  } finally {
    await kit.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
