/**
 * The S3 backend URL of a stack's state: what `pulumi login` takes. Pulumi 3.248's DIY backend opens it
 * with gocloud.dev v0.46 (AWS SDK v2 only), which wants the endpoint as a whole URL (scheme and port),
 * a region, and path-style addressing for Swift's s3api; an unknown parameter (the SDK v1's
 * `disableSSL`) is an error there, so plain http is said by the endpoint's own scheme.
 */
export function s3BackendUrl(bucket: string, endpoint: string, region: string): string {
  return `s3://${bucket}?endpoint=${endpoint}&s3ForcePathStyle=true&region=${region}`;
}

/** An endpoint as given (`swift.example.net`, `https://swift.example.net:8080/`) as a URL without a trailing slash. */
export function normalEndpoint(given: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `https://${given}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(
      `--endpoint ${given} is not a URL: give the object store's S3 endpoint, e.g. https://s3.example.net`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`--endpoint ${given}: only http:// and https:// endpoints are S3 endpoints`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new Error(
      `--endpoint ${given}: give only scheme, host and port (no path, query or credentials), e.g. https://s3.example.net`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

/** S3's bucket naming rules (the strict, DNS-compatible ones Swift's s3api checks by default). */
export function checkBucketName(bucket: string): string {
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) ||
    bucket.includes("..") ||
    /^\d+\.\d+\.\d+\.\d+$/.test(bucket)
  ) {
    throw new Error(
      `--bucket ${JSON.stringify(bucket)} is not a valid bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, ` +
        "starting and ending with a letter or digit (e.g. pra-state)",
    );
  }
  return bucket;
}
