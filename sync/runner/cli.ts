/**
 * Entry point of the sync steps that run where Pulumi runs (the primary itself, or a runner that
 * reaches it over SSH): `node sync/runner/launch.cjs ready|files|database|health` (this file, bundled), with
 * {plan, secrets} as JSON on stdin so that no key or password is ever on a command line.
 */

import type { StepInput } from "../plan";
import { type SshKit, sshKit } from "./keys";
import { stopChildrenOnSignals } from "./proc";

// Each step loads only its own modules: the ready check, first on the sync's critical path, need not
// load the MariaDB client.
const steps = {
  ready: async (input: StepInput, kit: SshKit) => (await import("./ready")).waitForStandby(input.plan, kit.standbySsh),
  files: async (input: StepInput, kit: SshKit) => (await import("./files")).pushFiles(input, kit),
  database: async (input: StepInput, kit: SshKit) => (await import("./database")).pushDatabase(input, kit),
  health: async (input: StepInput) => {
    if (!input.health) throw new Error("pra-health: no health check given");
    return (await import("./health")).checkHealth(input.plan, input.health);
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
    console.error(
      `usage: node sync/runner/launch.cjs ${Object.keys(steps).join("|")}  (plan and secrets as JSON on stdin)`,
    );
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
