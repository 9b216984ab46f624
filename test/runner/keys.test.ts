import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { sshKit } from "../../sync/runner/keys";
import { fakeKey, standby } from "../scripts/fixtures";

const option = (argv: string[], name: string) =>
  argv.filter((a) => a.startsWith(`${name}=`)).map((a) => a.slice(name.length + 1));

describe("sshKit: one pinned connection per host", () => {
  it("shares one master per host, its control socket in the private key dir, pinned as before; dispose removes it all", async () => {
    const kit = sshKit({
      plan: {
        run: "r",
        standby,
        source: {
          kind: "ssh",
          host: "198.51.100.7",
          port: 22,
          user: "pra",
          hostPublicKey: standby.hostPublicKey,
          hostKeyAlias: "pra-primary",
        },
        webRoot: "/var/www/blog",
        apacheSiteConfig: "/etc/apache2/sites-available/blog.conf",
        dbSocket: "/run/mysqld/mysqld.sock",
        readyTimeoutSeconds: 60,
        ioTimeoutSeconds: 300,
      },
      secrets: { standbyPrivateKey: fakeKey, primaryPrivateKey: fakeKey },
    });
    const paths: string[] = [];
    for (const argv of [kit.standbySsh, kit.primarySsh ?? []]) {
      expect(option(argv, "ControlMaster")).toEqual(["auto"]);
      expect(option(argv, "ControlPersist")).toEqual(["60"]);
      expect(option(argv, "StrictHostKeyChecking")).toEqual(["yes"]);
      const [path] = option(argv, "ControlPath");
      const [known] = option(argv, "UserKnownHostsFile");
      expect(dirname(path)).toBe(dirname(known));
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      paths.push(path);
    }
    expect(new Set(paths).size).toBe(2);
    // Text only to the standby from here: compressed. The primary's carries the database link: not.
    expect(option(kit.standbySsh, "Compression")).toEqual(["yes"]);
    expect(option(kit.primarySsh ?? [], "Compression")).toEqual([]);
    // No master was started (nothing ran): dispose has nothing to close and removes the directory.
    await kit.dispose();
    for (const p of paths) expect(existsSync(dirname(p))).toBe(false);
  });
});
