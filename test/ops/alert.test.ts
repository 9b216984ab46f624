import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Alert, sendAlert } from "../../ops/alert";

const dir = mkdtempSync(join(tmpdir(), "pra-alert-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alert: Alert = {
  subject: "pra nightly: FAILED exit=1",
  text: "pra nightly: FAILED exit=1\nline two",
  details: { exitCode: 1 },
};
const noFetch = () => Promise.reject(new Error("unused"));

describe("alert hooks", () => {
  it("runs the command with the message on stdin and the subject in PRA_ALERT_SUBJECT", async () => {
    const file = join(dir, "a.txt");
    const said: string[] = [];
    await sendAlert({ command: `cat > '${file}'; echo "$PRA_ALERT_SUBJECT" >> '${file}'` }, alert, {
      fetch: noFetch,
      timeoutMs: 5000,
      log: (l) => said.push(l),
    });
    expect(readFileSync(file, "utf8")).toBe("pra nightly: FAILED exit=1\nline two\npra nightly: FAILED exit=1\n");
    expect(said).toEqual(["alert command run"]);
  });

  it("reports a failing or hanging command without throwing", async () => {
    const said: string[] = [];
    const deps = { fetch: noFetch, timeoutMs: 300, log: (l: string) => said.push(l) };
    await sendAlert({ command: "echo nope >&2; exit 3" }, alert, deps);
    await sendAlert({ command: "sleep 30; true" }, alert, deps); // the sleep would hold the pipes open
    expect(said[0]).toMatch(/alert command failed \(exit 3\): nope/);
    expect(said[1]).toMatch(/alert command failed \(SIGKILL\)/);
  });

  it("POSTs JSON to the URL and reports HTTP errors without the URL", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const said: string[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response("no", { status: 503 });
    }) as unknown as typeof fetch;
    await sendAlert({ url: "https://hooks.example/T0KEN" }, alert, {
      fetch: fakeFetch,
      timeoutMs: 1000,
      log: (l) => said.push(l),
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].init.method).toBe("POST");
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ text: alert.text, subject: alert.subject, exitCode: 1 });
    expect(said).toEqual(["alert POST to pra:alertUrl failed: HTTP 503"]);
  });

  it("says when no hook is configured", async () => {
    const said: string[] = [];
    await sendAlert({}, alert, { fetch: noFetch, timeoutMs: 1000, log: (l) => said.push(l) });
    expect(said[0]).toMatch(/no alert hook configured/);
  });
});
