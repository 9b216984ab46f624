import { describe, expect, it } from "vitest";
import { runPipeline } from "../../sync/runner/proc";
import { eventually, isRunning, killQuietly, pidsByCmdline } from "./procfs";

describe("runPipeline", () => {
  it("feeds the producer's stdout to the consumer and reports both exit codes", async () => {
    const r = await runPipeline(
      ["sh", "-c", "printf 'a\\nb\\n'; echo producing >&2; exit 3"],
      ["sh", "-c", "wc -l; echo consuming >&2; exit 5"],
    );
    expect(r.producer).toMatchObject({ code: 3, stderr: "producing\n" });
    expect(r.consumer).toMatchObject({ code: 5, stdout: "2\n", stderr: "consuming\n" });
  });

  it("loses not a byte of a large stream", async () => {
    const r = await runPipeline(["head", "-c", "20000000", "/dev/urandom"], ["sh", "-c", "tee /dev/null | wc -c"]);
    expect(r.producer.code).toBe(0);
    expect(r.consumer.stdout.trim()).toBe("20000000");
  });

  it("a consumer that quits early ends the producer, and both codes tell", async () => {
    const r = await runPipeline(["yes"], ["head", "-n", "1"]);
    expect(r.consumer).toMatchObject({ code: 0, stdout: "y\n" });
    // SIGPIPE, or EPIPE where the producer inherited SIGPIPE ignored.
    expect(r.producer.code).not.toBe(0);
  });

  it("a timeout stops both groups", async () => {
    const r = await runPipeline(["sh", "-c", "sleep 300 & echo $! >&2; wait"], ["sh", "-c", "cat; sleep 300"], {
      timeoutMs: 300,
    });
    const grandchild = Number(r.producer.stderr.trim());
    try {
      expect(r.producer.timedOut).toBe(true);
      expect(r.consumer.timedOut).toBe(true);
      await eventually(() => !isRunning(grandchild), "the producer's grandchild to be gone");
    } finally {
      killQuietly(grandchild);
    }
  });

  it("rejects when the consumer cannot be started, and stops the producer", async () => {
    // spawn returns once the producer has exec'd: from then on its command line tells it apart.
    const producer = ["sleep", "314.159"];
    await expect(runPipeline(producer, ["/nonexistent/pra-consumer"])).rejects.toThrow(/ENOENT/);
    await eventually(() => pidsByCmdline(producer).filter(isRunning).length === 0, "the producer to be gone");
  });
});
