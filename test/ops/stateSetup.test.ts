import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../ops/exitCodes";
import { s3Request } from "../../ops/s3";
import { normalEndpoint, s3BackendUrl } from "../../ops/stateBackend";
import { runStateSetup } from "../../ops/stateSetup";
import { projectRoot } from "./fixture";

const base = mkdtempSync(join(tmpdir(), "pra-state-setup-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/**
 * A pulumi stand-in for the migration: one directory per backend URL holding <stack>.json, argv and the
 * export file's mode logged. `stack export --file` writes a deployment with a secret in plain text.
 */
const fake = join(base, "pulumi");
writeFileSync(
  fake,
  `#!/bin/bash
set -euo pipefail
store="${base}/backends/$(printf '%s' "$PULUMI_BACKEND_URL" | md5sum | cut -c1-12)"
mkdir -p "$store"
printf '%s\\n' "$*" >> "${base}/argv.log"
flag() { local want=$1 prev=''; shift; for a in "$@"; do [ "$prev" = "$want" ] && { printf '%s' "$a"; return; }; prev=$a; done; }
case "$1 $2" in
  "stack ls") printf '['; sep=''; for f in "$store"/*.json; do [ -e "$f" ] || continue; n=$(basename "$f" .json); printf '%s{"name":"%s"}' "$sep" "$n"; sep=','; done; echo ']' ;;
  "stack export")
    s=$(flag --stack "$@"); f=$(flag --file "$@")
    [ -e "$store/$s.json" ] || { echo "error: no stack named '$s' found" >&2; exit 255; }
    if [ -n "$f" ]; then stat -c '%a' "$f" > "${base}/export-mode"; cp "$store/$s.json" "$f"; else cat "$store/$s.json"; fi ;;
  "stack init") [ -n "\${PULUMI_CONFIG_PASSPHRASE:-}" ] || { echo "error: passphrase needed" >&2; exit 255; }; echo '{"deployment":{"resources":[]}}' > "$store/$2.json.new"; mv "$store/$2.json.new" "$store/$(echo "$*" | cut -d' ' -f3).json" ;;
  "stack import") s=$(flag --stack "$@"); [ -z "\${FAKE_FAIL_IMPORT:-}" ] || { echo "error: import refused" >&2; exit 255; }; cp "$(flag --file "$@")" "$store/$s.json" ;;
  "stack rm") s=$(flag --stack "$@"); [ -z "\${FAKE_FAIL_RM:-}" ] || { echo "error: rm refused" >&2; exit 255; }; rm -f "$store/$s.json" ;;
  *) echo "fake pulumi: unexpected $*" >&2; exit 2 ;;
esac
`,
);
chmodSync(fake, 0o755);
const backendDir = (url: string) => {
  return join(base, "backends", createHash("md5").update(url).digest("hex").slice(0, 12));
};
const deployment = JSON.stringify({
  deployment: { resources: [{ urn: "a" }, { urn: "b", outputs: { key: "plain-secret-value" } }, { urn: "c" }] },
});

/** A stand-in S3 endpoint answering bucket creation as Swift's s3api does, with the status it is told. */
async function s3Stub(answer: {
  status: number;
  body?: string;
}): Promise<{ url: string; close(): void; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization?.split(" ")[0]}`);
    res.writeHead(answer.status, { "content-type": "application/xml" });
    res.end(answer.body ?? "");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close(), seen };
}

function setup(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  const creds = { AWS_ACCESS_KEY_ID: "ak", AWS_SECRET_ACCESS_KEY: "sk-very-secret", HOME: base };
  return runStateSetup([...argv, "--work-dir", projectRoot], {
    env: { PATH: process.env.PATH, ...creds, ...env },
    out: (t) => {
      out += t;
    },
    pulumi: fake,
  }).then((code) => ({ code, out }));
}

describe("state:setup: input errors name the fix (exit 2)", () => {
  it("no endpoint, a bad bucket name, missing credentials", async () => {
    expect(await setup([])).toMatchObject({
      code: ExitCode.Usage,
      out: expect.stringMatching(/--endpoint is missing/),
    });
    expect(await setup(["--endpoint", "https://s3.example", "--bucket", "Bad_Name"])).toMatchObject({
      code: ExitCode.Usage,
      out: expect.stringMatching(/--bucket "Bad_Name" is not a valid bucket name/),
    });
    const r = await setup(["--endpoint", "https://s3.example"], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.out).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set: .*openstack ec2 credentials create/);
    expect(await setup(["--endpoint", "ftp://x"])).toMatchObject({ code: ExitCode.Usage });
  });

  it("an endpoint nobody answers on: exit 1 naming the endpoint", async () => {
    const r = await setup(["--endpoint", "http://127.0.0.1:1"]);
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.out).toMatch(/cannot reach the S3 endpoint http:\/\/127\.0\.0\.1:1: .*Check --endpoint/);
  });
});

describe("state:setup: the bucket and the login line", () => {
  it("creates the bucket with a signed request and prints the login line; the secret is printed nowhere", async () => {
    const s3 = await s3Stub({ status: 200 });
    try {
      const r = await setup(["--endpoint", s3.url, "--bucket", "my-pra-state"]);
      expect(r.code).toBe(0);
      expect(s3.seen).toEqual(["PUT /my-pra-state AWS4-HMAC-SHA256"]);
      expect(r.out).toContain("bucket my-pra-state at http://127.0.0.1");
      expect(r.out).toContain(
        `pulumi login 's3://my-pra-state?endpoint=${s3.url}&s3ForcePathStyle=true&region=us-east-1'`,
      );
      expect(r.out).not.toContain("sk-very-secret");
    } finally {
      s3.close();
    }
  });

  it("a bucket someone else owns, or rejected credentials, each name the fix (exit 1)", async () => {
    const taken = await s3Stub({ status: 409, body: "<Error><Code>BucketAlreadyExists</Code></Error>" });
    const denied = await s3Stub({ status: 403, body: "<Error><Code>InvalidAccessKeyId</Code></Error>" });
    try {
      expect(await setup(["--endpoint", taken.url])).toMatchObject({
        code: 1,
        out: expect.stringMatching(/belongs to someone else .*--bucket/),
      });
      expect(await setup(["--endpoint", denied.url])).toMatchObject({
        code: 1,
        out: expect.stringMatching(/refused the credentials \(InvalidAccessKeyId\)/),
      });
    } finally {
      taken.close();
      denied.close();
    }
  });

  it("normalEndpoint and the URL pulumi takes", () => {
    expect(normalEndpoint("s3.example.net")).toBe("https://s3.example.net");
    expect(normalEndpoint("https://s3.example.net:8443/")).toBe("https://s3.example.net:8443");
    expect(() => normalEndpoint("https://k:s@s3.example.net")).toThrow(/no path, query or credentials/);
    expect(s3BackendUrl("b", "http://10.0.0.1:8080", "RegionOne")).toBe(
      "s3://b?endpoint=http://10.0.0.1:8080&s3ForcePathStyle=true&region=RegionOne",
    );
  });
});

describe("s3Request: the credentials reach curl on stdin only", () => {
  it("argv holds no key or secret; the config on stdin carries them (URL-encoded, colon included)", async () => {
    const bin = mkdtempSync(join(base, "curl-"));
    writeFileSync(
      join(bin, "curl"),
      `#!/bin/bash\nprintf '%s\\n' "$@" > "${bin}/argv"\ncat > "${bin}/stdin"\nprintf 200\n`,
    );
    chmodSync(join(bin, "curl"), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const r = await s3Request(
        { endpoint: "https://s3.example.net", region: "r1", accessKeyId: "acct:user", secretAccessKey: "s3cr3t/+=" },
        { method: "PUT", bucket: "pra-state", key: "a b/c.json", body: "{}" },
      );
      expect(r.status).toBe(200);
    } finally {
      process.env.PATH = path;
    }
    const argv = readFileSync(join(bin, "argv"), "utf8");
    expect(argv).not.toMatch(/acct|s3cr3t|example\.net/);
    expect(argv).toContain("aws:amz:r1:s3");
    const config = readFileSync(join(bin, "stdin"), "utf8");
    expect(config).toContain('url = "https://acct%3Auser:s3cr3t%2F%2B%3D@s3.example.net/pra-state/a%20b/c.json"');
    expect(config).toContain('request = "PUT"');
    expect(config).toMatch(
      /header = "x-amz-content-sha256: 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"/,
    );
  });
});

describe("state:setup --migrate", () => {
  it("exports with secrets into a 0600 file, imports into the bucket, checks the count, removes the file", async () => {
    const s3 = await s3Stub({ status: 409, body: "<Error><Code>BucketAlreadyOwnedByYou</Code></Error>" });
    const from = `file://${base}/old-state`;
    const to = s3BackendUrl("pra-state", s3.url, "us-east-1");
    try {
      const dir = backendDir(from);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "dev.json"), deployment);
      rmSync(join(base, "argv.log"), { force: true });
      const before = readdirSync(tmpdir()).filter((f) => f.startsWith("pra-state-move-"));
      const r = await setup(["--endpoint", s3.url, "--migrate", "--from", from], { PULUMI_CONFIG_PASSPHRASE: "pw" });
      expect(r.out).toMatch(/already there, yours/);
      expect(r.out).toMatch(/migrated stack dev \(3 resources\)/);
      expect(r.code).toBe(0);
      expect(JSON.parse(readFileSync(join(backendDir(to), "dev.json"), "utf8"))).toEqual(JSON.parse(deployment));
      expect(readFileSync(join(base, "export-mode"), "utf8").trim()).toBe("600");
      const argv = readFileSync(join(base, "argv.log"), "utf8");
      expect(argv).not.toMatch(/plain-secret-value|sk-very-secret|pw/);
      expect(argv.split("\n").map((l) => l.split(" --")[0])).toEqual([
        "stack ls",
        "stack export",
        "stack init dev",
        "stack import",
        "stack export",
        "",
      ]);
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith("pra-state-move-"))).toEqual(before);

      // Again: the bucket now holds the stack, which is never overwritten.
      const again = await setup(["--endpoint", s3.url, "--migrate", "--from", from], {
        PULUMI_CONFIG_PASSPHRASE: "pw",
      });
      expect(again.code).toBe(ExitCode.Usage);
      expect(again.out).toMatch(/stack dev already exists in s3:\/\/pra-state.*nothing was migrated or overwritten/);
    } finally {
      s3.close();
    }
  });

  it("a failed import says so, and the exported secrets do not stay behind", async () => {
    const s3 = await s3Stub({ status: 200 });
    const from = `file://${base}/old-state-2`;
    try {
      const dir = backendDir(from);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "dev.json"), deployment);
      const before = readdirSync(tmpdir()).filter((f) => f.startsWith("pra-state-move-"));
      const r = await setup(["--endpoint", s3.url, "--bucket", "other-bucket", "--migrate", "--from", from], {
        PULUMI_CONFIG_PASSPHRASE: "pw",
        FAKE_FAIL_IMPORT: "1",
      });
      expect(r.code).toBe(ExitCode.Failed);
      expect(r.out).toMatch(/migrating stack dev failed: .*import refused/s);
      expect(r.out).toMatch(/the incomplete stack dev in s3:\/\/other-bucket.* was removed, file:.* is unchanged/s);
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith("pra-state-move-"))).toEqual(before);
      expect(existsSync(join(backendDir(from), "dev.json"))).toBe(true);
      // The half-made stack is gone from the bucket (a retry is not refused), the stack file is kept.
      const to = s3BackendUrl("other-bucket", s3.url, "us-east-1");
      expect(existsSync(join(backendDir(to), "dev.json"))).toBe(false);
      expect(readFileSync(join(base, "argv.log"), "utf8")).toMatch(
        /^stack rm --stack dev --yes --force --preserve-config/m,
      );

      // When even the removal fails, the exact command to finish it is printed.
      const again = await setup(["--endpoint", s3.url, "--bucket", "other-bucket", "--migrate", "--from", from], {
        PULUMI_CONFIG_PASSPHRASE: "pw",
        FAKE_FAIL_IMPORT: "1",
        FAKE_FAIL_RM: "1",
      });
      expect(again.code).toBe(ExitCode.Failed);
      expect(again.out).toMatch(
        /remove the incomplete stack before trying again: PULUMI_BACKEND_URL='s3:\/\/other-bucket[^']*' pulumi stack rm --stack dev --yes --force --preserve-config/,
      );
    } finally {
      s3.close();
    }
  });
});
