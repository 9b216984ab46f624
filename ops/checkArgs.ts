import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type CommonArgs, checkStack } from "./args";

/** Flags of the read-only commands, status and doctor. */
export interface CheckArgs extends CommonArgs {
  json: boolean;
}

export const statusUsage = `Usage: npm run status -- [--stack dev] [--work-dir DIR] [--json]
  Shows, without booting anything: the mode, the data age (RPO), the recovery points (restorePoint names),
  the last nightly, drill and failback results, the certificate's expiry, the monthly cost, and warnings.
  Exit 0: nothing needs attention; 1: something does (the warnings say what); 2: not configured or bad flags.`;

export const doctorUsage = `Usage: npm run doctor -- [--stack dev] [--work-dir DIR] [--json]
  Read-only preflight: credentials, passphrase, state backend, placeholder values, cloud names, the primary.
  Lists every problem at once, each with its fix. Exit 0: all checks pass; 1: problems; 2: bad flags.`;

/** Throws an Error whose message holds the usage; the caller prints it and exits 2. */
export function parseCheckArgs(argv: string[], usage: string): CheckArgs {
  let v: { stack: string; "work-dir": string; json: boolean; help: boolean };
  try {
    v = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", default: "dev" },
        "work-dir": { type: "string", default: "." },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values as typeof v;
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${usage}`);
  }
  return { stack: checkStack(v.stack, usage), workDir: resolve(v["work-dir"]), json: v.json, help: v.help };
}
