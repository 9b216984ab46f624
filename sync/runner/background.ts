import { untrack } from "./processGroup";
import { type OutputOptions, type Place, type RunResult, type StopOptions, spawnInGroup, supervise } from "./supervise";

export interface BackgroundOptions extends OutputOptions, Place, Pick<StopOptions, "killGraceMs" | "pipeGraceMs"> {}

export interface Background {
  /** Undefined when the command could not be started (exited then rejects). */
  readonly pid: number | undefined;
  /** Settles once the command has exited; rejects only when it could not be started. */
  readonly exited: Promise<RunResult>;
  /** True until the command itself exits. */
  readonly running: boolean;
  /** Sends a signal to the command only, not its group (to see how it handles the signal itself). */
  signal(sig: NodeJS.Signals): void;
  /** Stops the whole group: SIGTERM, SIGKILL after the grace. Resolves with how the command ended. */
  stop(): Promise<RunResult>;
  /**
   * Lets the command live on without us: our ends of its pipes are closed, it no longer keeps this
   * process running, and a signal to this process does not stop it.
   */
  disown(): void;
}

/** Starts argv (no shell, stdin /dev/null, a process group of its own) and returns at once. */
export function startBackground(argv: string[], opts: BackgroundOptions = {}): Background {
  const child = spawnInGroup(argv, ["ignore", "pipe", "pipe"], opts);
  const supervised = supervise(child, opts);
  // Whoever cares awaits it; an unobserved failure to start must not crash the process.
  supervised.result.catch(() => {});
  return {
    pid: child.pid,
    exited: supervised.result,
    get running() {
      return !supervised.exited;
    },
    signal(sig) {
      if (!supervised.exited && child.pid !== undefined) process.kill(child.pid, sig);
    },
    async stop() {
      await supervised.stop();
      return supervised.result;
    },
    disown() {
      if (child.pid !== undefined) untrack(child.pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
    },
  };
}
