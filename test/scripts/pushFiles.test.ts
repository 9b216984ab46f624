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
    ssh: `cat > "$call.stdin"; case "$*" in *pra-link-live*) echo "\${FAKE_LINK_ANSWER:-PRA-NOT-LINKED no live generation}" ;; esac`,
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
    digestCache: join(work, "web-root.digests"),
  });

const eOption = (argv: string[]) => argv[argv.indexOf("-e") + 1];

describe("push-files", () => {
  it("sends the web root hard-linked against the live generation, then the site config, then what it sent", async () => {
    const { webRoot, siteConf } = primarySite("ok");
    const net = network("ok");
    const r = await runScript(push(webRoot, siteConf), [], { env: { PATH: net.path } });
    expect(r.code).toBe(0);
    // What the next night need not read again: each file's sha256 under its path, inode, size and time.
    expect(readFileSync(join(work, "web-root.digests"), "utf8")).toMatch(
      /^[0-9a-f]{64} \d+ \d+ \d+\.\d+ \.\/wp-config\.php$/m,
    );
    const digest = (await runScript(renderScript("primary/web-root-digest", { WEB_ROOT: webRoot }))).stdout.trim();
    const [sha, entries] = digest.split(" ");
    expect(r.stdout).toContain(`pra-push-files: sent 1234 bytes; ${entries} entries, digest ${sha}\n`);

    const [link, www, site, record] = net.calls();
    expect([link.command, www.command, site.command, record.command]).toEqual(["ssh", "rsync", "rsync", "ssh"]);
    expect(link.argv.slice(-2)).toEqual(["pra@203.0.113.10", `sudo -n /srv/pra/bin/pra-link-live run-1 ${sha}`]);
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

  it("a web root the live generation was made from is linked on the standby: only what the clean-up edits travels", async () => {
    const { webRoot, siteConf } = primarySite("linked");
    writeFileSync(join(webRoot, ".htaccess"), "# BEGIN WordPress\n");
    const net = network("linked");
    const r = await runScript(push(webRoot, siteConf), [], {
      env: { PATH: net.path, FAKE_LINK_ANSWER: "PRA-LINKED" },
    });
    expect(r.code).toBe(0);
    const [link, www, site, record] = net.calls();
    expect([link.command, www.command, site.command, record.command]).toEqual(["ssh", "rsync", "rsync", "ssh"]);
    expect(www.argv).toEqual(expect.arrayContaining(["--files-from=-", "--ignore-times", `${webRoot}/`]));
    expect(www.argv).not.toContain("--delete");
    expect(r.stderr).toContain("linked on the standby; sending only what the clean-up edits");
    const digest = (await runScript(renderScript("primary/web-root-digest", { WEB_ROOT: webRoot }))).stdout.trim();
    expect(JSON.parse(readFileSync(`${record.file}.stdin`, "utf8")).digest).toBe(digest.split(" ")[0]);
  });

  it("runs to its end when its text arrives on stdin, as it does: no ssh it starts reads the rest of it", async () => {
    const { webRoot, siteConf } = primarySite("stdin");
    const net = network("stdin");
    const r = await runScript("exec bash -s\n", [], { input: push(webRoot, siteConf), env: { PATH: net.path } });
    expect(r.code).toBe(0);
    expect(net.calls().map((c) => c.command)).toEqual(["ssh", "rsync", "rsync", "ssh"]);
    expect(r.stdout).toMatch(/^pra-push-files: sent 1234 bytes/m);
  });

  it("pins the standby's host key, keeps the login key off argv, and removes it afterwards", async () => {
    const { webRoot, siteConf } = primarySite("pinned");
    const net = network("pinned");
    expect((await runScript(push(webRoot, siteConf), [], { env: { PATH: net.path } })).code).toBe(0);
    const [, www, , record] = net.calls();
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
    expect(net.calls().map((c) => c.command)).toEqual(["ssh", "rsync"]);
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
    expect(r.stderr).toMatch(/\npra-push-files: fault injected at after-rsync\n$/);
    expect(net.calls().map((c) => c.command)).toEqual(["ssh", "rsync", "rsync"]);
  });
});
