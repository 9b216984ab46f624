import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Background, startBackground } from "../../sync/runner/proc";
import { newEd25519Key } from "./keys";
import { type Lab, type SshEndpoint, startLab } from "./lab";
import { isRunning } from "./netns";
import { type RunResult, run } from "./proc";

const NEWEST_FIRST_POST = "Lab newest post";
const LAB_NETNS = ["pra-lab-primary", "pra-lab-standby"];

let scratch: string;

/** ssh as the product does it: the host key pinned under an alias, nothing learnt on the fly. */
async function ssh(target: SshEndpoint, pinnedKey: string, command: string): Promise<RunResult> {
  const keyFile = join(scratch, "client_key");
  const knownHosts = join(scratch, `known_hosts_${Math.random().toString(36).slice(2)}`);
  writeFileSync(keyFile, target.privateKey, { mode: 0o600 });
  writeFileSync(knownHosts, `pra-lab-alias ${pinnedKey}\n`);
  return run(
    [
      "ssh",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "HostKeyAlias=pra-lab-alias",
      "-o",
      "ConnectTimeout=10",
      "-i",
      keyFile,
      "-p",
      String(target.port),
      `${target.user}@${target.host}`,
      command,
    ],
    { allowFail: true, timeoutMs: 30_000 },
  );
}

async function homePage(address: string, host: string): Promise<string> {
  return (await run(["curl", "-fsS", "--max-time", "10", "-H", `Host: ${host}`, `http://${address}/`])).stdout;
}

async function labNetnsLeft(): Promise<string[]> {
  const list = (await run(["ip", "netns", "list"])).stdout;
  return LAB_NETNS.filter((ns) => list.includes(ns));
}

async function labLinksLeft(): Promise<string> {
  const links = (await run(["ip", "-o", "link", "show"])).stdout;
  return links
    .split("\n")
    .filter((l) => /prabr0|prav-/.test(l))
    .join("\n");
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "pra-lab-test-"));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("a running lab", () => {
  let lab: Lab;

  beforeAll(async () => {
    const started = Date.now();
    lab = await startLab();
    console.log(`startLab: ${Date.now() - started} ms`);
    // Generous: startLab first waits for a lab of another test run on this machine to stop.
  }, 240_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it("lets the client in over ssh with the pinned host key, and pra has sudo", async () => {
    for (const host of [lab.primary, lab.standby]) {
      const r = await ssh(host.ssh, host.ssh.hostPublicKey, "hostname; sudo -n id -u");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n")).toEqual([host.name, "0", ""]);
      expect(host.ssh.hostPublicKey).toMatch(/^ssh-ed25519 AAAA[0-9A-Za-z+/=]+$/);
      expect(host.ssh.hostPrivateKey).toContain("BEGIN OPENSSH PRIVATE KEY");
    }
    expect(lab.primary.ssh.hostPublicKey).not.toBe(lab.standby.ssh.hostPublicKey);
  });

  it("refuses the connection when known_hosts pins another key", async () => {
    const other = await newEd25519Key(scratch, "other");
    const r = await ssh(lab.standby.ssh, other.publicKey, "true");
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it("does not let root or a password in", async () => {
    const root = await ssh({ ...lab.standby.ssh, user: "root" }, lab.standby.ssh.hostPublicKey, "true");
    expect(root.code).toBe(255);
    const config = await lab.standby.exec("sshd -T -f /etc/ssh/sshd_config");
    expect(config.stdout).toMatch(/^passwordauthentication no$/m);
    expect(config.stdout).toMatch(/^permitrootlogin no$/m);
  });

  it("runs a separate MariaDB in each host", async () => {
    await lab.primary.sql(
      "CREATE DATABASE labcheck; CREATE TABLE labcheck.t (x INT); INSERT INTO labcheck.t VALUES (42);",
    );
    expect(await lab.primary.sql("SELECT x FROM t", "labcheck")).toBe("42\n");
    const standbyDbs = (await lab.standby.sql("SHOW DATABASES")).trim().split("\n").sort();
    expect(standbyDbs).toEqual(["information_schema", "mysql", "performance_schema", "sys"]);
    expect(await lab.standby.sql("SELECT @@max_allowed_packet")).toBe(`${64 * 1024 * 1024}\n`);
  });

  it("takes queries and rows over 16 MB through sql()", async () => {
    const big = "é".repeat(9 * 1024 * 1024);
    await lab.primary.sql(
      `CREATE TABLE labcheck.big (id INT PRIMARY KEY, b LONGTEXT) CHARACTER SET utf8mb4;
INSERT INTO labcheck.big VALUES (1, '${big}');`,
    );
    expect(await lab.primary.sql("SELECT LENGTH(b), CHAR_LENGTH(b) FROM labcheck.big")).toBe(
      `${18 * 1024 * 1024}\t${9 * 1024 * 1024}\n`,
    );
  });

  it("serves the WordPress home page with the newest post, from the WP Super Cache", async () => {
    const page = await homePage(lab.primary.address, lab.blogHost);
    expect(page).toContain(NEWEST_FIRST_POST);
    expect(page).toContain("<!-- Cached page generated by WP-Super-Cache on");
    const files = await lab.primary.exec(
      `cd /var/www/blog && grep -c '^# BEGIN \\(WPSuperCache\\|WordPress\\)$' .htaccess && grep -c "define( 'WP_CACHE', true )" wp-config.php &&
       ls wp-content/advanced-cache.php wp-content/object-cache.php wp-content/cache/supercache/blog.example.test/index.html &&
       find wp-content/uploads/2026/11 -type f | wc -l && stat -c %U wp-config.php && test -L wp-includes/js/underscore.min.js`,
    );
    expect(files.stdout.split("\n")).toEqual([
      "2",
      "1",
      "wp-content/advanced-cache.php",
      "wp-content/cache/supercache/blog.example.test/index.html",
      "wp-content/object-cache.php",
      "4",
      "www-data",
      "",
    ]);
  });

  it("adds posts and comments that the home page shows", async () => {
    const postId = await lab.primary.addPost("Post d'après « crash »", "<p>Contenu avec \\ et 'quotes'.</p>");
    const commentId = await lab.primary.addComment(postId, "Un commentaire");
    expect(postId).toBeGreaterThan(0);
    expect(commentId).toBeGreaterThan(0);
    const row = await lab.primary.sql(
      `SELECT post_status, post_content, comment_count FROM wp_posts WHERE ID = ${postId}`,
      "wordpress",
    );
    expect(row).toBe("publish\t<p>Contenu avec \\\\ et 'quotes'.</p>\t1\n");
    const page = await homePage(lab.primary.address, lab.blogHost);
    // Titles come out through wptexturize: the apostrophe becomes &#8217;.
    expect(page.indexOf("après « crash »")).toBeGreaterThan(-1);
    expect(page.indexOf("après « crash »")).toBeLessThan(page.indexOf(NEWEST_FIRST_POST));
  });

  it("gives each host its own files", async () => {
    await lab.primary.exec(
      "echo primary > /var/www/lab-private; echo primary > /tmp/lab-private; echo p > /etc/lab-private",
    );
    const seen = await lab.standby.exec(
      "ls /var/www/lab-private /tmp/lab-private /etc/lab-private /var/www/blog 2>/dev/null | wc -l",
    );
    expect(seen.stdout).toBe("0\n");
    expect(existsSync("/var/www/lab-private") || existsSync("/etc/lab-private")).toBe(false);
  });

  it("makes the standby look like a fresh instance with its data volume", async () => {
    const r = await lab.standby.exec(
      "mountpoint -q /srv/pra && ls -A /srv/pra && ls /etc/apache2/sites-enabled && apache2ctl -M 2>/dev/null | grep -c 'rewrite_module\\|php_module' && id -nG pra",
    );
    expect(r.stdout).toBe("lost+found\n000-default.conf\n2\npra\n");
    expect(await homePage(lab.standby.address, lab.blogHost)).toContain("Apache2 Debian Default Page");
  });

  it("lets the hosts reach each other", async () => {
    await lab.standby.exec(`timeout 5 bash -c '</dev/tcp/${lab.primary.address}/80'`);
    await lab.primary.exec(`timeout 5 bash -c '</dev/tcp/${lab.standby.address}/22'`);
  });

  it("finds each host's own processes", async () => {
    const primaryDb = await lab.primary.pidsOf("^/usr/sbin/mariadbd");
    const standbyDb = await lab.standby.pidsOf("^/usr/sbin/mariadbd");
    expect(primaryDb).toHaveLength(1);
    expect(standbyDb).toHaveLength(1);
    expect(primaryDb).not.toEqual(standbyDb);
    const inside = await lab.standby.exec(`pgrep -f '^/usr/sbin/mariadbd' | grep -x ${standbyDb[0]}`);
    expect(inside.code).toBe(0);
    expect(await lab.standby.pidsOf("sshd: /usr/sbin/sshd")).toHaveLength(1);
  });

  it("reports failures with their stderr, and passes input on a real stdin", async () => {
    await expect(lab.primary.exec("echo boom >&2; exit 3")).rejects.toThrow(/boom/);
    expect((await lab.primary.exec("exit 3", { allowFail: true })).code).toBe(3);
    const bytes = Buffer.from([0, 1, 2, 255, 10]);
    expect((await lab.primary.exec("wc -c < /dev/stdin", { input: bytes })).stdout).toBe("5\n");
    await expect(lab.primary.exec("sleep 5", { timeoutMs: 300 })).rejects.toThrow(/timed out/);
  });

  it("stops without leaving namespaces, links, processes or files behind", async () => {
    const pids = [
      ...(await lab.primary.pidsOf(".")),
      ...(await lab.standby.pidsOf(".")),
      ...(await Promise.all(LAB_NETNS.map((ns) => run(["ip", "netns", "pids", ns])))).flatMap((r) =>
        r.stdout.trim().split("\n").map(Number),
      ),
    ];
    expect(pids.length).toBeGreaterThan(10);
    const started = Date.now();
    await lab.stop();
    console.log(`stop: ${Date.now() - started} ms`);
    await lab.stop();
    expect(await labNetnsLeft()).toEqual([]);
    expect(await labLinksLeft()).toBe("");
    expect(pids.filter(isRunning)).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
    expect(existsSync("/tmp/pra-lab.lock")).toBe(false);
  });
});

describe("after a crash", () => {
  let crashed: Background | undefined;
  // A test that times out (e.g. while another engineer's lab holds the machine) must not leave the
  // fixture waiting for the lock, to take the lab over later and hold it for ever.
  afterAll(async () => {
    await crashed?.stop();
  });

  it("starts a new lab over the remains of a killed one, with the standby host key asked for", async () => {
    const started = Date.now();
    let output = "";
    let ready: (dir: string) => void = () => {};
    const fixture = startBackground(
      [join(__dirname, "../../node_modules/.bin/tsx"), join(__dirname, "crash-fixture.ts")],
      {
        // tsx runs the script in a child node: the whole group must die at once, as in a real crash.
        killGraceMs: 0,
        onStdout: (chunk) => {
          output += chunk;
          const m = /READY (\S+)/.exec(output);
          if (m?.[1]) ready(m[1]);
        },
        onStderr: (chunk) => {
          output += chunk;
        },
      },
    );
    crashed = fixture;
    const crashedDir = await new Promise<string>((resolve, reject) => {
      ready = resolve;
      fixture.exited.then(
        (r) => reject(new Error(`crash fixture exited (${r.code}): ${output}`)),
        (e: Error) => reject(e),
      );
    });
    await fixture.stop();
    console.log(`crashed lab up after ${Date.now() - started} ms`);
    expect(await labNetnsLeft()).toEqual(LAB_NETNS);

    const standbyHostKey = await newEd25519Key(scratch, "wanted");
    const restarted = Date.now();
    const lab = await startLab({ standbyHostKey });
    console.log(`startLab over a crashed lab: ${Date.now() - restarted} ms`);
    try {
      expect(existsSync(crashedDir)).toBe(false);
      expect(lab.standby.ssh.hostPublicKey).toBe(standbyHostKey.publicKey);
      expect(lab.standby.ssh.hostPrivateKey).toBe(standbyHostKey.privateKey);
      const r = await ssh(lab.standby.ssh, standbyHostKey.publicKey, "sudo -n true");
      expect(r.code).toBe(0);
      expect(await homePage(lab.primary.address, lab.blogHost)).toContain(NEWEST_FIRST_POST);
    } finally {
      await lab.stop();
    }
    expect(await labNetnsLeft()).toEqual([]);
  }, 240_000);
});
