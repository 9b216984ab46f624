import type { ChildProcess } from "node:child_process";
import { type Place, type RunResult, type StopOptions, spawnInGroup, supervise } from "./supervise";

export interface PipelineOptions extends StopOptions, Place {}

export interface PipelineResult {
  /** How the producer ended (its stdout went to the consumer: empty here). */
  producer: RunResult;
  consumer: RunResult;
}

/**
 * `producer | consumer`, without a shell: the producer's stdout is the consumer's stdin, kernel to
 * kernel (a database dump does not pass through this process). Both exit codes are reported, where
 * a shell pipeline tells one. A timeout or an abort stops both groups.
 */
export async function runPipeline(
  producer: string[],
  consumer: string[],
  opts: PipelineOptions = {},
): Promise<PipelineResult> {
  const a = spawnInGroup(producer, ["ignore", "pipe", "pipe"], opts);
  if (a.pid === undefined) {
    await supervise(a, opts).result; // rejects with why it could not start
  }
  // From here to the destroy, all in one tick: node may have asked to read our end of the producer's
  // stdout, but reads happen only once this tick is over, so not a byte goes astray.
  let b: ChildProcess;
  try {
    b = spawnInGroup(consumer, [a.stdout, "pipe", "pipe"], opts);
  } catch (e) {
    a.stdout?.destroy();
    await supervise(a, opts).stop();
    throw e;
  }
  // The consumer holds its own copy of our end of the producer's stdout; ours would only hold it open.
  a.stdout?.destroy();
  const producing = supervise(a, opts);
  const consuming = supervise(b, opts);
  try {
    const [producerResult, consumerResult] = await Promise.all([producing.result, consuming.result]);
    return { producer: producerResult, consumer: consumerResult };
  } catch (e) {
    // The consumer could not start: the producer would write into nothing.
    await Promise.all([producing.stop(), consuming.stop()]);
    await Promise.allSettled([producing.result, consuming.result]);
    throw e;
  }
}
