import type { ExecResult, LabHost, SshEndpoint } from "./lab";
import { allPids, cmdlineOf, nsOf } from "./netns";
import { run } from "./proc";

export interface ExecOptions {
  input?: string | Buffer;
  allowFail?: boolean;
  timeoutMs?: number;
}

/** Longest script passed on bash's command line (the kernel refuses single arguments over 128 KiB). */
const MAX_SCRIPT = 100_000;

export class Host implements LabHost {
  constructor(
    readonly name: "primary" | "standby",
    readonly address: string,
    readonly ssh: SshEndpoint,
    /** Owner of the host's mount and UTS namespaces; everything is entered through it. */
    readonly holderPid: number,
    private readonly ioDir: string,
  ) {}

  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (Buffer.byteLength(script) > MAX_SCRIPT) {
      return Promise.reject(
        new Error(`[${this.name}] exec: script over ${MAX_SCRIPT} bytes; pass data via opts.input`),
      );
    }
    return this.run(["bash", "-c", script], opts, `[${this.name}] ${firstLine(script)}`);
  }

  sql(query: string, database?: string): Promise<string> {
    const argv = ["mariadb", "-N", "-B", "--max-allowed-packet=64M"];
    if (database !== undefined) argv.push(`--database=${database}`);
    return this.run(argv, { input: query, timeoutMs: 300_000 }, `[${this.name}] sql ${firstLine(query)}`).then(
      (r) => r.stdout,
    );
  }

  async pidsOf(pattern: string): Promise<number[]> {
    const re = new RegExp(pattern);
    const mnt = nsOf(this.holderPid, "mnt");
    if (mnt === undefined) throw new Error(`[${this.name}] the host is gone (holder ${this.holderPid} exited)`);
    return allPids().filter((pid) => {
      if (pid === this.holderPid || nsOf(pid, "mnt") !== mnt) return false;
      const cmdline = cmdlineOf(pid);
      return cmdline !== "" && re.test(cmdline);
    });
  }

  /** Writes a file inside the host (through its private mounts). */
  async writeFile(path: string, content: string | Buffer, mode = "0644", owner = "root:root"): Promise<void> {
    const [user = "root", group = user] = owner.split(":");
    await this.run(
      ["install", "-D", "-m", mode, "-o", user, "-g", group, "/dev/stdin", path],
      { input: content },
      `[${this.name}] write ${path}`,
    );
  }

  private run(argv: string[], opts: ExecOptions, label: string): Promise<ExecResult> {
    return run(["nsenter", "--target", String(this.holderPid), "--mount", "--net", "--uts", "--", ...argv], {
      ...opts,
      ioDir: this.ioDir,
      label,
    });
  }
}

function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 80)}...` : line;
}
