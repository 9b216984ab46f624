import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChecked } from "../sync/runner/proc";

/**
 * An S3-compatible endpoint (OpenStack Swift's s3api, as most public OpenStack clouds offer) and the
 * EC2-style credentials for it (`openstack ec2 credentials create`).
 */
export interface S3Endpoint {
  /** `https://host[:port]` or `http://host:port`. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3Request {
  method: "GET" | "PUT" | "HEAD" | "DELETE";
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface S3Response {
  status: number;
  body: string;
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The request's URL, path style (`/bucket/key`), with the query already canonical (sorted, encoded). */
export function s3Url(endpoint: string, req: Pick<S3Request, "bucket" | "key" | "query">): string {
  const path = [req.bucket, ...(req.key ? req.key.split("/") : [])].map(uriEncode).join("/");
  const query = Object.entries(req.query ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .join("&");
  return `${endpoint.replace(/\/+$/, "")}/${path}${query ? `?${query}` : ""}`;
}

/** A curl config value in double quotes (curl's -K syntax: backslash escapes). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * One signed S3 request, made by curl (`--aws-sigv4`, on Debian since 7.75): no SDK to pin. The URL
 * travels with the credentials in its userinfo inside curl's config on stdin (`-K -`), never on argv;
 * in the URL rather than curl's `user`, because an access key may hold a colon (Swift tempauth's
 * `account:user`) and `user` splits at the first one. curl 7.88 does not add the payload hash S3
 * wants, so it is computed here and signed with the other x-amz headers.
 */
export async function s3Request(ep: S3Endpoint, req: S3Request): Promise<S3Response> {
  const url = new URL(s3Url(ep.endpoint, req));
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`S3 endpoint ${ep.endpoint} is not an http(s) URL: give it as https://host[:port]`);
  }
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
  const dir = mkdtempSync(join(tmpdir(), "pra-s3-"));
  try {
    const bodyFile = join(dir, "body");
    const outFile = join(dir, "response");
    writeFileSync(bodyFile, body, { mode: 0o600 });
    const signed = `${url.protocol}//${uriEncode(ep.accessKeyId)}:${uriEncode(ep.secretAccessKey)}@${url.host}${url.pathname}${url.search}`;
    const headers = {
      "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
      ...req.headers,
    };
    const config = [
      `url = ${quoted(signed)}`,
      // HEAD has no body to read: curl's own `head` knows not to wait for one.
      req.method === "HEAD" ? "head" : `request = ${quoted(req.method)}`,
      ...Object.entries(headers).map(([k, v]) => `header = ${quoted(`${k}: ${v}`)}`),
      ...(req.method === "PUT" ? [`data-binary = ${quoted(`@${bodyFile}`)}`] : []),
      "",
    ].join("\n");
    const r = await runChecked(
      [
        "curl",
        "--silent",
        "--show-error",
        "--aws-sigv4",
        `aws:amz:${ep.region}:s3`,
        "--connect-timeout",
        "10",
        "--max-time",
        "120",
        "--output",
        outFile,
        "--write-out",
        "%{http_code}",
        "--config",
        "-",
      ],
      { input: config, allowFail: true, timeoutMs: 150_000, label: `curl ${req.method} ${s3Url(ep.endpoint, req)}` },
    );
    if (r.code !== 0) {
      throw new Error(`cannot reach the S3 endpoint ${ep.endpoint}: ${r.stderr.trim() || `curl exit ${r.code}`}`);
    }
    let text = "";
    try {
      text = readFileSync(outFile, "utf8");
    } catch {
      // No body (HEAD, 204).
    }
    return { status: Number.parseInt(r.stdout.trim(), 10), body: text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `<Code>` of an S3 error response, e.g. `BucketAlreadyOwnedByYou`. */
export function s3ErrorCode(body: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

/** The keys a ListObjectsV2 answer lists. */
export function s3Keys(body: string): string[] {
  return [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&"),
  );
}
