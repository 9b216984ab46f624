/**
 * What the job does when it is told to stop. A stop must never leave a paid instance behind, so the
 * first signal only cancels the running `pulumi up` (gracefully) and the job then tears down as usual;
 * signals during the teardown are reported and otherwise ignored.
 *
 * SIGTERM/SIGHUP (systemd stop, CI cancel, kill) are forwarded to pulumi as one SIGINT, which makes it
 * finish its in-flight resource operations, save state and exit. SIGINT is NOT forwarded: from a
 * terminal, Ctrl-C reaches pulumi already (same process group), and a second SIGINT would make pulumi
 * terminate at once, leaving pending operations behind. A SIGINT sent only to this process lets the
 * running up finish; the teardown follows.
 */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

const HANDLED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export class Interruption {
  private readonly controller = new AbortController();
  private readonly listeners = new Map<NodeJS.Signals, () => void>();
  private tearingDown = false;
  private received?: NodeJS.Signals;
  private wake: Array<() => void> = [];

  constructor(
    private readonly source: SignalSource,
    private readonly log: (line: string) => void,
  ) {}

  /** Cancels the running pulumi operation when aborted; never given to a teardown. */
  get abortSignal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first signal received, if any. */
  get signal(): NodeJS.Signals | undefined {
    return this.received;
  }

  install(): void {
    for (const sig of HANDLED) {
      const listener = () => this.onSignal(sig);
      this.listeners.set(sig, listener);
      this.source.on(sig, listener);
    }
  }

  dispose(): void {
    for (const [sig, listener] of this.listeners) this.source.off(sig, listener);
    this.listeners.clear();
  }

  /** From now on signals cannot stop anything: the instance is being removed. */
  enterTeardown(): void {
    this.tearingDown = true;
  }

  leaveTeardown(): void {
    this.tearingDown = false;
  }

  /** Resolves when a signal arrives: lets long waits that cannot be cancelled (the fingerprint) be left. */
  whenSignalled(): Promise<NodeJS.Signals> {
    if (this.received) return Promise.resolve(this.received);
    return new Promise((resolve) => this.wake.push(() => resolve(this.received as NodeJS.Signals)));
  }

  private onSignal(sig: NodeJS.Signals): void {
    if (this.tearingDown) {
      this.log(`${sig} received during the teardown: finishing it first (kill -9 would leave the instance running)`);
      return;
    }
    if (this.received) {
      this.log(`${sig} received again: already stopping, the teardown follows`);
      return;
    }
    this.received = sig;
    if (sig === "SIGINT") {
      this.log("SIGINT received: waiting for pulumi to stop (it got the Ctrl-C too), then tearing down");
    } else {
      this.log(`${sig} received: cancelling the running pulumi operation, then tearing down`);
      this.controller.abort();
    }
    for (const wake of this.wake.splice(0)) wake();
  }
}
