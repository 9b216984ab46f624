import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { praPath } from "./status";

/** How one job last ended on this machine, as its own files in .pra/ say. */
export interface LastResult {
  /** "ok", or what went wrong (the job's exit-code meaning). */
  result: string;
  ok: boolean;
  exitCode?: number;
  /** When it finished (or started, for a drill report). */
  at?: string;
  detail?: string;
  /** The file it was read from. */
  file: string;
  /** Nightly: when the primary was last found equal to the recovery point (a quiet blog is not stale). */
  verifiedUnchangedAt?: string;
}

export interface LastResults {
  nightly?: LastResult;
  drill?: LastResult;
  failback?: LastResult;
}

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const v = JSON.parse(readFileSync(file, "utf8"));
    return typeof v === "object" && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

const text = (v: unknown) => (typeof v === "string" ? v : undefined);

/** status.json (nightly) and failback.json are written by those jobs; each names its stack. */
function fromJson(file: string, stack: string): LastResult | undefined {
  const v = readJson(file);
  if (!v || v.stack !== stack || typeof v.exitCode !== "number") return undefined;
  return {
    ok: v.exitCode === 0,
    exitCode: v.exitCode,
    result: v.exitCode === 0 ? "ok" : (text(v.result) ?? `exit ${v.exitCode}`),
    at: text(v.finishedAt),
    detail: text(v.summary) ?? text(v.detail),
    file,
    verifiedUnchangedAt: text(v.verifiedUnchangedAt),
  };
}

/** The newest drill report of the stack (.pra/drill-<time>.md, named sortably by its run id). */
function lastDrill(dir: string, stack: string): LastResult | undefined {
  if (!existsSync(dir)) return undefined;
  const reports = readdirSync(dir)
    .filter((f) => /^drill-\d{8}T\d{6}Z\.md$/.test(f))
    .sort()
    .reverse();
  for (const name of reports) {
    const file = join(dir, name);
    const body = readFileSync(file, "utf8");
    const head = /^# PRA drill (\S+) \((\w+)\) on stack (\S+)$/m.exec(body);
    if (head?.[3] !== stack) continue;
    const result = /^\| result \| (.*) \|$/m.exec(body)?.[1] ?? "unknown";
    const exit = /exit (\d+)/.exec(result)?.[1];
    return {
      ok: result === "PASSED",
      exitCode: result === "PASSED" ? 0 : exit === undefined ? undefined : Number(exit),
      result: result === "PASSED" ? "ok" : result,
      at: /^\| started \| (.*) \|$/m.exec(body)?.[1],
      detail: `${head[2]} drill ${head[1]}`,
      file,
    };
  }
  return undefined;
}

export function lastResults(workDir: string, stack: string): LastResults {
  const dir = praPath(workDir);
  return {
    nightly: fromJson(join(dir, "status.json"), stack),
    drill: lastDrill(dir, stack),
    failback: fromJson(join(dir, "failback.json"), stack),
  };
}
