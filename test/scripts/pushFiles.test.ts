import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPushFiles } from "../../sync/primary/pushFiles";
import { renderScript } from "../../sync/scripts";
import { fakeKey, standby } from "./fixtures";
import { fakeCommands, runScript, workDir } from "./run";

const work = workDir("push");

/** The primary's web root and Apache site, as push-files finds them. */
function primarySite(name: string): { webRoot: string; siteConf: string } {
  const webRoot = join(work, name, "www");
  mkdirSync(join(webRoot, "wp-includes"), { recursive: true });
  mkdirSync(join(webRoot, "wp-content/cache"), { recursive: true });
  writeFileSync(join(webRoot, "wp-config.php"), "<?php // config");
  writeFileSync(join(webRoot, "wp-includes/version.php"), "<?php $wp_version = '6.8';");
  const siteConf = join(work, name, "blog.conf");
  writeFileSync(siteConf, "<VirtualHost *:80>\n</VirtualHost>\n");
  return { webRoot, siteConf };
}

/**
 * rsync and ssh stand in for the network (the lab runs the real ones): rsync keeps copies of the key
 * and known_hosts files its -e command names (they live in a temp dir removed on exit) and prints
 * rsync's stats line; ssh keeps its stdin.
 */
function network(name: string) {
  return fakeCommands(join(work, name), {
    rsync: `prev=
for a in "$@"; do
  if [ "$prev" = -e ]; then
    read -r -a words <<< "$a"
    for ((i = 0; i < \${#words[@]}; i++)); do
      case "\${words[i]}" in
        -i) cp "\${words[i+1]}" "$call.key"; stat -c %a "\${words[i+1]}" > "$call.key-mode"; echo "\${words[i+1]}" > "$call.key-path" ;;
        UserKnownHostsFile=*) cp "\${words[i]#UserKnownHostsFile=}" "$call.known_hosts" ;;
      esac
    done
  fi
  prev=$a
done
echo "Total bytes sent: 1,234"
exit "\${FAKE_RSYNC_EXIT:-0}"`,
    ssh: 'cat > "$call.stdin"',
  });
}

const push = (webRoot: string, siteConf: string) =>
  renderPushFiles({
    run: "run-1",
    standby,
    standbyPrivateKey: fakeKey,
    webRoot,
    apacheSiteConfig: siteConf,
    ioTimeoutSeconds: 300,
  });

const eOption = (argv: string[]) => argv[argv.indexOf("-e") + 1];

describe("push-files", () => {
  it("sends the web root hard-linked against the live generation, then the site config, then what it sent", async () => {
    const { webRoot, siteConf } = primarySite("ok");
    const net = network("ok");
    const r = await runScript(push(webRoot, siteConf), [], { env: { PATH: net.path } });
    expect(r.code).toBe(0);
    const digest = (await runScript(renderScript("primary/web-root-digest", { WEB_ROOT: webRoot }))).stdout.trim();
    const [sha, entries] = digest.split(" ");
    expect(r.stdout).toContain(`pra-push-files: sent 1234 bytes; ${entries} entries, digest ${sha}\n`);

    const [www, site, record] = net.calls();
    expect([www.command, site.command, record.command]).toEqual(["rsync", "rsync", "ssh"]);
    expect(www.argv).toEqual(
      expect.arrayContaining([
        "-aH",
        "--delete",
        "--timeout=300",
        "--link-dest=/srv/pra/current/www",
        "--exclude=/wp-content/cache/",
        "--rsync-path=sudo -n rsync",
        `${webRoot}/`,
        "pra@203.0.113.10:/srv/pra/incoming/run-1/www/",
      ]),
    );
    // The site file (with any other enabled file serving its ServerName) goes as apache/site.conf.
    expect(site.argv).toContain("pra@203.0.113.10:/srv/pra/incoming/run-1/apache/site.conf");
    expect(site.argv).toContain("-a");
    expect(record.argv.slice(-2)).toEqual(["pra@203.0.113.10", "sudo -n /srv/pra/bin/pra-receive run-1 files.json"]);
    expect(JSON.parse(readFileSync(`${record.file}.stdin`, "utf8"))).toEqual({
      digest: sha,
      entries: Number(entries),
      bytesSent: 1234,
    });
  });

  it("pins the standby's host key, keeps the login key off argv, and removes it afterwards", async () => {
    const { webRoot, siteConf } = primarySite("pinned");
    const net = network("pinned");
    expect((await runScript(push(webRoot, siteConf), [], { env: { PATH: net.path } })).code).toBe(0);
    const [www, , record] = net.calls();
    for (const option of ["StrictHostKeyChecking=yes", "HostKeyAlias=pra-standby", "BatchMode=yes", "-p 22"]) {
      expect(eOption(www.argv)).toContain(option);
      expect(record.argv.join(" ")).toContain(option);
    }
    expect(readFileSync(`${www.file}.known_hosts`, "utf8")).toBe(`pra-standby ${standby.hostPublicKey}\n`);
    expect(readFileSync(`${www.file}.key`, "utf8")).toBe(fakeKey);
    expect(readFileSync(`${www.file}.key-mode`, "utf8").trim()).toBe("600");
    expect(existsSync(readFileSync(`${www.file}.key-path`, "utf8").trim())).toBe(false);
    for (const call of net.calls()) expect(call.argv.join(" ")).not.toContain("FAKEKEYMATERIAL");
  });

  it.each([
    [23, "partial transfer"],
    [24, "partial transfer"],
    [30, "timeout in data send/receive"],
    [12, "rsync failed with exit 12"],
  ])("fails with rsync's exit %i (%s) and sends no record", async (exit, message) => {
    const { webRoot, siteConf } = primarySite(`rsync-${exit}`);
    const net = network(`rsync-${exit}`);
    const r = await runScript(push(webRoot, siteConf), [], { env: { PATH: net.path, FAKE_RSYNC_EXIT: String(exit) } });
    expect(r.code).toBe(exit);
    expect(r.stderr).toContain(message);
    expect(net.calls().map((c) => c.command)).toEqual(["rsync"]);
  });

  it("refuses a source that does not look like WordPress before sending anything", async () => {
    const { webRoot, siteConf } = primarySite("empty");
    const net = network("empty");
    const r = await runScript(push(join(webRoot, "wp-content"), siteConf), [], { env: { PATH: net.path } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not look like the WordPress root .*: nothing sent/);
    expect(net.calls()).toEqual([]);
  });

  it("fault point after-rsync: killed with both copies made and no record sent", async () => {
    const { webRoot, siteConf } = primarySite("fault");
    const net = network("fault");
    writeFileSync(join(work, "fault-file"), "push-files:after-rsync\n");
    const r = await runScript(push(webRoot, siteConf), [], {
      env: { PATH: net.path, PRA_FAULT_FILE: join(work, "fault-file") },
    });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toBe("pra-push-files: fault injected at after-rsync\n");
    expect(net.calls().map((c) => c.command)).toEqual(["rsync", "rsync"]);
  });
});
