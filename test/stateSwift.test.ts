import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
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
}, 300_000);

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
