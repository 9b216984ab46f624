import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ResourceHook } from "../test/harness";
import type { LabHost } from "../test/lab/lab";

/**
 * Bytes the standby's network interface has received: everything any sync sends it (rsync, dumps,
 * ssh set-up and remote commands), from the primary and from where Pulumi runs alike, headers
 * included. Read with `ip -s link` inside the standby's network namespace.
 */
export async function standbyReceivedBytes(standby: LabHost): Promise<number> {
  const out = (await standby.exec("ip -j -s link show dev eth0")).stdout;
  const [link] = JSON.parse(out) as Array<{ stats64: { rx: { bytes: number } } }>;
  return link.stats64.rx.bytes;
}

export interface Measured<T> {
  value: T;
  bytesToStandby: number;
  seconds: number;
}

/** Runs fn, with the bytes the standby received meanwhile and the wall time. */
export async function measured<T>(standby: LabHost, fn: () => Promise<T>): Promise<Measured<T>> {
  const before = await standbyReceivedBytes(standby);
  const started = process.hrtime.bigint();
  const value = await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { value, seconds, bytesToStandby: (await standbyReceivedBytes(standby)) - before };
}

const RUNNER = "sync/runner/launch.cjs";

/**
 * Wraps the runner steps (`node sync/runner/launch.cjs <step>`, what runs where Pulumi runs) in GNU time,
 * which reports the largest resident set any process of the step's tree reached (ru_maxrss of the
 * waited-for tree). `peaks()` returns KiB per step name and forgets them.
 */
export function withPeakRss(
  hooks: Record<string, ResourceHook>,
  dir: string,
): { hooks: Record<string, ResourceHook>; peaks(): Record<string, number> } {
  const local = hooks["command:local:Command"];
  const files = new Map<string, string>();
  return {
    hooks: {
      ...hooks,
      "command:local:Command": (args, inputs) => {
        const create = String(inputs.create);
        if (!create.includes(RUNNER)) return local(args, inputs);
        const file = join(dir, `maxrss-${args.name}`);
        files.set(args.name, file);
        return local(args, { ...inputs, create: `/usr/bin/time -f %M -o ${file} ${create}` });
      },
    },
    peaks() {
      const kib: Record<string, number> = {};
      for (const [name, file] of files) {
        kib[name] = Number(readFileSync(file, "utf8").trim().split("\n").pop());
        rmSync(file, { force: true });
      }
      files.clear();
      return kib;
    },
  };
}
