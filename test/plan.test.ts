import { describe, expect, it } from "vitest";
import { parseSyncConfig } from "../config";
import { RSYNC_IO_TIMEOUT_SECONDS, STANDBY_SSH_PORT } from "../sync/connection";
import { buildPlan, PRIMARY_HOST_KEY_ALIAS, primarySide, sourceOf } from "../sync/plan";

const primaryHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q";
const standby = {
  host: "203.0.113.10",
  user: "pra",
  // As the stack holds it: @pulumi/tls ends the line with a newline, a known_hosts entry may carry a comment.
  hostPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIStandbyKey pra@standby\n",
  hostKeyAlias: "pra-standby",
};
const config = (keys: Record<string, string>) => parseSyncConfig((key) => keys[key]);

describe("buildPlan", () => {
  it("reads a local primary with the configured paths and reaches the standby on its fixed SSH port", () => {
    const plan = buildPlan(config({ webRoot: "/srv/www/blog/", readyTimeoutMinutes: "3" }), standby, "nightly-1");
    expect(plan).toEqual({
      run: "nightly-1",
      standby: {
        host: "203.0.113.10",
        port: STANDBY_SSH_PORT,
        user: "pra",
        hostPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIStandbyKey",
        hostKeyAlias: "pra-standby",
      },
      source: { kind: "local" },
      webRoot: "/srv/www/blog",
      apacheSiteConfig: "/etc/apache2/sites-available/wordpress.conf",
      dbSocket: "/run/mysqld/mysqld.sock",
      readyTimeoutSeconds: 180,
      ioTimeoutSeconds: RSYNC_IO_TIMEOUT_SECONDS,
    });
  });

  it("reads an ssh primary pinned under its own alias, on the configured port and user", () => {
    const sync = config({
      source: "ssh",
      primaryHost: "home.example.org",
      primaryHostKey,
      primarySshPort: "2222",
      primarySshUser: "backup",
    });
    expect(buildPlan(sync, standby, "run-1").source).toEqual({
      kind: "ssh",
      host: "home.example.org",
      port: 2222,
      user: "backup",
      hostPublicKey: primaryHostKey,
      hostKeyAlias: PRIMARY_HOST_KEY_ALIAS,
    });
    expect(PRIMARY_HOST_KEY_ALIAS).not.toBe(standby.hostKeyAlias);
  });

  it("the change check reads the primary exactly as the plan does", () => {
    const sync = config({ source: "ssh", primaryHost: "home.example.org", primaryHostKey, webRoot: "/srv/blog" });
    const plan = buildPlan(sync, standby, "run-1");
    expect(primarySide(sync)).toEqual({ source: plan.source, webRoot: plan.webRoot, dbSocket: plan.dbSocket });
  });

  it("puts no secret in the plan, even when the settings carry the primary's key", () => {
    const secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nPRIMARYSECRET\n-----END OPENSSH PRIVATE KEY-----";
    const sync = {
      ...config({ source: "ssh", primaryHost: "home.example.org", primaryHostKey }),
      primaryPrivateKey: secret,
    };
    const plan = buildPlan(sync, standby, "run-1");
    expect(JSON.stringify(plan)).not.toMatch(/PRIMARYSECRET|PRIVATE KEY/);
    expect(Object.keys(plan.source)).not.toContain("primaryPrivateKey");
  });

  it("copies only the endpoint's fields into the source", () => {
    const primary = { host: "h.example.org", port: 22, user: "pra", hostPublicKey: primaryHostKey, extra: "x" };
    expect(Object.keys(sourceOf(primary)).sort()).toEqual([
      "host",
      "hostKeyAlias",
      "hostPublicKey",
      "kind",
      "port",
      "user",
    ]);
    expect(sourceOf(undefined)).toEqual({ kind: "local" });
  });
});
