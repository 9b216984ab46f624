import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Endpoint, s3Keys, s3Request } from "../ops/s3";
import { s3BackendUrl } from "../ops/stateBackend";
import { runStateSetup } from "../ops/stateSetup";
import { type SwiftLab, startSwift } from "./lab/swift";

/**
 * The state path against a real OpenStack Swift with s3api (Debian's packages, test/lab/swift.ts):
 * `state:setup` creates the bucket, and every S3 call Pulumi's DIY backend makes through an update
 * works, including the server-side copy of the checkpoint into history that pulumi/pulumi#3592 saw
 * fail on an OpenStack object store. (`pulumi login` + `up` against it needs the real CLI: another test.)
 */
let swift: SwiftLab;
let ep: S3Endpoint;

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("the Swift lab needs root (network namespaces): sudo scripts/test-all");
  if (!existsSync("/usr/bin/swift-proxy-server")) {
    throw new Error("no swift-proxy-server: install test/lab/packages.txt (scripts/test-all does)");
  }
  swift = await startSwift();
  ep = {
    endpoint: swift.endpoint,
    region: swift.region,
    accessKeyId: swift.accessKeyId,
    secretAccessKey: swift.secretAccessKey,
  };
}, 420_000);

afterAll(async () => {
  await swift?.stop();
}, 120_000);

async function setup(argv: string[], creds = { id: swift.accessKeyId, secret: swift.secretAccessKey }) {
  let out = "";
  const code = await runStateSetup(["--endpoint", swift.endpoint, ...argv], {
    env: {
      PATH: process.env.PATH,
      HOME: "/nonexistent",
      AWS_ACCESS_KEY_ID: creds.id,
      AWS_SECRET_ACCESS_KEY: creds.secret,
    },
    out: (t) => {
      out += t;
    },
  });
  return { code, out };
}

describe("state:setup against the lab's Swift", () => {
  it("creates the bucket, says so again without harm, and prints the login line", async () => {
    const first = await setup(["--bucket", "pra-state"]);
    expect(first.out).toContain("bucket pra-state at http://10.231.9.2:8080: created");
    expect(first.code).toBe(0);
    expect(first.out).toContain(`pulumi login '${s3BackendUrl("pra-state", swift.endpoint, "us-east-1")}'`);
    expect(first.out).not.toContain(swift.secretAccessKey);
    const again = await setup(["--bucket", "pra-state"]);
    expect(again.code).toBe(0);
    expect(again.out).toContain("bucket pra-state at http://10.231.9.2:8080: already there, yours");
    const listing = await s3Request(ep, { method: "GET", bucket: "pra-state", query: { "list-type": "2" } });
    expect(listing.status).toBe(200);
  });

  it("a wrong secret is refused by Swift and named as a credentials problem", async () => {
    const r = await setup(["--bucket", "pra-state-2"], { id: swift.accessKeyId, secret: "not-the-key" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the object store refused the credentials \(SignatureDoesNotMatch\)/);
    const unknown = await setup(["--bucket", "pra-state-2"], { id: "nobody:here", secret: "x" });
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/refused the credentials/);
  });
});

describe("the S3 calls of a Pulumi DIY backend's update cycle, against Swift", () => {
  it("put, get, list by prefix, server-side copy into history, head, delete", async () => {
    const bucket = "pra-diy-cycle";
    expect((await s3Request(ep, { method: "PUT", bucket })).status).toBe(200);
    const stack = ".pulumi/stacks/pra/dev.json";
    // A checkpoint the size of a real stack's, with bytes JSON would escape.
    const checkpoint = JSON.stringify({ version: 3, checkpoint: { blob: randomBytes(300_000).toString("base64") } });
    const put = async (key: string, body: string) => (await s3Request(ep, { method: "PUT", bucket, key, body })).status;
    expect(await put(".pulumi/meta.yaml", "version: 1\n")).toBe(200);
    expect(await put(".pulumi/locks/organization/pra/dev/lock-1.json", '{"pid":1}')).toBe(200);
    expect(await put(stack, checkpoint)).toBe(200);
    // The backup of the previous checkpoint and the history entry: server-side copies.
    for (const target of [`${stack}.bak`, ".pulumi/history/pra/dev/dev-1764000000.checkpoint.json"]) {
      const copy = await s3Request(ep, {
        method: "PUT",
        bucket,
        key: target,
        headers: { "x-amz-copy-source": `/${bucket}/${stack}` },
      });
      expect(copy.status, copy.body).toBe(200);
      expect(copy.body).toContain("<CopyObjectResult");
      const got = await s3Request(ep, { method: "GET", bucket, key: target });
      expect(got.status).toBe(200);
      expect(got.body).toBe(checkpoint);
    }
    expect(await put(".pulumi/history/pra/dev/dev-1764000000.history.json", '{"kind":"update"}')).toBe(200);
    const history = await s3Request(ep, {
      method: "GET",
      bucket,
      query: { "list-type": "2", prefix: ".pulumi/history/pra/dev/" },
    });
    expect(history.status).toBe(200);
    expect(s3Keys(history.body)).toEqual([
      ".pulumi/history/pra/dev/dev-1764000000.checkpoint.json",
      ".pulumi/history/pra/dev/dev-1764000000.history.json",
    ]);
    expect((await s3Request(ep, { method: "HEAD", bucket, key: stack })).status).toBe(200);
    expect(
      (await s3Request(ep, { method: "DELETE", bucket, key: ".pulumi/locks/organization/pra/dev/lock-1.json" })).status,
    ).toBe(204);
    const locks = await s3Request(ep, { method: "GET", bucket, query: { "list-type": "2", prefix: ".pulumi/locks/" } });
    expect(s3Keys(locks.body)).toEqual([]);
    expect((await s3Request(ep, { method: "GET", bucket, key: "missing.json" })).status).toBe(404);
  }, 120_000);
});

/**
 * The real pulumi CLI 3.248.0, as test/toolchain/install.sh builds it into ~/.cache/pra-toolchain (or
 * PRA_PULUMI_CLI): the tests below skip, saying so, on a machine without it.
 */
function realCli(): string | undefined {
  if (process.env.PRA_PULUMI_CLI) return process.env.PRA_PULUMI_CLI;
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pra-toolchain");
  if (!existsSync(cache)) return undefined;
  return readdirSync(cache)
    .filter((d) => d.startsWith("pulumi-3.248.0_"))
    .map((d) => join(cache, d, "bin", "pulumi"))
    .find((f) => existsSync(f));
}
const cli = realCli();
if (!cli) process.stderr.write("stateSwift: no real pulumi CLI 3.248.0 (test/toolchain/install.sh): its tests skip\n");

describe.skipIf(!cli)("the real pulumi CLI's state in the lab's Swift", () => {
  it("state:setup --migrate moves a file-backend stack into the bucket; updates, history and secrets work there", async () => {
    const project = mkdtempSync(join(tmpdir(), "pra-state-cli-"));
    try {
      writeFileSync(join(project, "Pulumi.yaml"), "name: pra\nruntime: nodejs\n");
      const env = {
        PATH: process.env.PATH,
        HOME: project,
        PULUMI_HOME: join(project, ".pulumi-home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_CONFIG_PASSPHRASE: "lab passphrase",
        AWS_ACCESS_KEY_ID: swift.accessKeyId,
        AWS_SECRET_ACCESS_KEY: swift.secretAccessKey,
      };
      const fileBackend = `file://${project}/local-state`;
      mkdirSync(join(project, "local-state"));
      const bucket = s3BackendUrl("pra-state-cli", swift.endpoint, "us-east-1");
      const pulumi = (backend: string, ...args: string[]) =>
        execFileSync(cli as string, [...args, "--non-interactive"], {
          cwd: project,
          env: { ...env, PULUMI_BACKEND_URL: backend },
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      // The stack as it lives on a primary today: local state, a secret in config and in an output.
      pulumi(fileBackend, "stack", "init", "dev", "--secrets-provider", "passphrase");
      pulumi(fileBackend, "config", "set", "--secret", "pra:primarySshPrivateKey", "lab-config-secret");
      const stackUrn = "urn:pulumi:dev::pra::pulumi:pulumi:Stack::pra-dev";
      const checkpoint = join(project, "seed.json");
      // The stack's own export (its manifest is signed), with a resource holding a secret output added.
      const seed = JSON.parse(pulumi(fileBackend, "stack", "export", "--stack", "dev")) as {
        deployment: { resources?: unknown[] };
      };
      seed.deployment.resources = [
        {
          urn: stackUrn,
          custom: false,
          type: "pulumi:pulumi:Stack",
          outputs: {
            syncPrivateKey: {
              "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
              plaintext: '"lab-output-secret"',
            },
          },
        },
      ];
      writeFileSync(checkpoint, JSON.stringify(seed), { mode: 0o600 });
      pulumi(fileBackend, "stack", "import", "--stack", "dev", "--file", checkpoint);
      rmSync(checkpoint);

      let out = "";
      const code = await runStateSetup(
        [
          "--endpoint",
          swift.endpoint,
          "--bucket",
          "pra-state-cli",
          "--migrate",
          "--from",
          fileBackend,
          "--work-dir",
          project,
        ],
        { env, out: (t) => (out += t), pulumi: cli },
      );
      expect(out).toMatch(/migrated stack dev \(1 resources\)/);
      expect(code).toBe(0);

      // A whole update cycle in the bucket (refresh writes the checkpoint and copies it into history).
      pulumi(bucket, "refresh", "--yes", "--stack", "dev");
      const history = JSON.parse(pulumi(bucket, "stack", "history", "--stack", "dev", "--json")) as {
        kind: string;
        result: string;
      }[];
      expect(history[0]).toMatchObject({ kind: "refresh", result: "succeeded" });
      const keys = s3Keys(
        (await s3Request(ep, { method: "GET", bucket: "pra-state-cli", query: { "list-type": "2" } })).body,
      );
      expect(keys.some((k) => k.startsWith(".pulumi/history/") && k.endsWith(".checkpoint.json"))).toBe(true);
      // The same passphrase opens the secrets; without --show-secrets they stay ciphertext.
      expect(pulumi(bucket, "stack", "export", "--stack", "dev", "--show-secrets")).toContain("lab-output-secret");
      expect(pulumi(bucket, "stack", "export", "--stack", "dev")).not.toContain("lab-output-secret");
      expect(pulumi(bucket, "config", "get", "pra:primarySshPrivateKey", "--stack", "dev").trim()).toBe(
        "lab-config-secret",
      );
      // Never over a stack the bucket holds.
      const again = await runStateSetup(
        [
          "--endpoint",
          swift.endpoint,
          "--bucket",
          "pra-state-cli",
          "--migrate",
          "--from",
          fileBackend,
          "--work-dir",
          project,
        ],
        { env, out: () => {}, pulumi: cli },
      );
      expect(again).toBe(2);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 300_000);
});
