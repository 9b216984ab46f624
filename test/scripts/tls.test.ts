import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPushFiles } from "../../sync/primary/pushFiles";
import { fakeKey, standby } from "./fixtures";
import { fakeCommands, runLib, runScript, workDir } from "./run";

const work = workDir("tls");
const HOST = "blog.example.test";

/** A CA and a certificate it issued for HOST, in Let's Encrypt's layout under `root` (live/ links into archive/). */
function letsEncrypt(root: string): { live: string; caPem: string; notAfter: string } {
  const archive = join(root, "archive", HOST);
  const live = join(root, "live", HOST);
  mkdirSync(archive, { recursive: true });
  mkdirSync(live, { recursive: true });
  mkdirSync(join(root, "renewal"), { recursive: true });
  execFileSync("bash", [
    "-c",
    `set -euo pipefail; cd ${archive}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out chain1.pem -days 2 -subj "/CN=Test CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout privkey1.pem -out req.csr -subj "/CN=${HOST}" 2>/dev/null
printf 'subjectAltName=DNS:${HOST},DNS:www.${HOST}\\n' > ext.cnf
openssl x509 -req -in req.csr -CA chain1.pem -CAkey ca.key -CAcreateserial -days 30 -extfile ext.cnf -out cert1.pem 2>/dev/null
cat cert1.pem chain1.pem > fullchain1.pem
rm ca.key req.csr ext.cnf chain1.srl
chmod 600 privkey1.pem`,
  ]);
  for (const n of ["cert", "chain", "fullchain", "privkey"]) {
    symlinkSync(`../../archive/${HOST}/${n}1.pem`, join(live, `${n}.pem`));
  }
  writeFileSync(join(root, "renewal", `${HOST}.conf`), `cert = ${live}/cert.pem\n`);
  writeFileSync(join(root, "options-ssl-apache.conf"), "SSLEngine on\n");
  const notAfter = execFileSync("openssl", ["x509", "-in", join(archive, "cert1.pem"), "-noout", "-enddate"], {
    encoding: "utf8",
  })
    .trim()
    .replace(/^notAfter=/, "");
  return { live, caPem: readFileSync(join(archive, "chain1.pem"), "utf8"), notAfter };
}

/** certbot --apache's site: a redirect on 80, TLS on 443 with the live/ files and the options Include. */
function tlsSite(le: string, live: string): string {
  return `<VirtualHost *:80>
  ServerName ${HOST}
  RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]
</VirtualHost>
<IfModule mod_ssl.c>
<VirtualHost *:443>
  ServerName ${HOST}
  Header always set Strict-Transport-Security "max-age=31536000"
\tSSLCertificateFile ${live}/fullchain.pem
  SSLCertificateKeyFile "${live}/privkey.pem"
  Include ${le}/options-ssl-apache.conf
  Include /etc/apache2/conf-available/security.conf
  IncludeOptional /etc/other/*.conf
</VirtualHost>
</IfModule>
`;
}

describe("tls_refs and tls_rewrite", () => {
  it("list the files the site needs from outside Apache's tree, and point them under a prefix", async () => {
    const conf = join(work, "refs.conf");
    writeFileSync(conf, tlsSite("/etc/letsencrypt", `/etc/letsencrypt/live/${HOST}`));
    const refs = await runLib(["tls-refs.sh"], 'tls_refs "$1"', [conf]);
    expect(refs.stdout).toBe(
      `SSLCertificateFile /etc/letsencrypt/live/${HOST}/fullchain.pem\nSSLCertificateKeyFile /etc/letsencrypt/live/${HOST}/privkey.pem\nInclude /etc/letsencrypt/options-ssl-apache.conf\n`,
    );
    const rewritten = (await runLib(["tls-refs.sh"], 'tls_rewrite "$1" /srv/pra/current/tls', [conf])).stdout;
    expect(rewritten).toContain(
      `\tSSLCertificateFile "/srv/pra/current/tls/etc/letsencrypt/live/${HOST}/fullchain.pem"\n`,
    );
    expect(rewritten).toContain(`  Include "/srv/pra/current/tls/etc/letsencrypt/options-ssl-apache.conf"\n`);
    // Apache's own files and wildcards stay as they were; everything else is untouched.
    expect(rewritten).toContain("  Include /etc/apache2/conf-available/security.conf\n");
    expect(rewritten).toContain("  IncludeOptional /etc/other/*.conf\n");
    expect(rewritten.split("\n").length).toBe(tlsSite("", "").split("\n").length);
  });
});

/** A generation as the standby received it: apache/site.conf, and tls/<absolute path> of each file sent. */
function receivedGeneration(name: string, withTls = true): { gen: string; data: string; le: string } {
  const data = join(work, name, "data");
  const gen = join(data, "incoming", "run-1");
  const le = join(work, name, "primary-etc", "letsencrypt");
  const { live } = letsEncrypt(le);
  mkdirSync(join(gen, "apache"), { recursive: true });
  writeFileSync(join(gen, "apache", "site.conf"), withTls ? tlsSite(le, live) : "<VirtualHost *:80>\n</VirtualHost>\n");
  if (withTls) {
    // What rsync -a --files-from / makes of it: the same tree under tls/, links kept.
    mkdirSync(join(gen, "tls", le), { recursive: true });
    execFileSync("cp", ["-a", `${le}/.`, join(gen, "tls", le)]);
  }
  return { gen, data, le };
}

const prepare = (gen: string, data: string) =>
  runLib(["common.sh", "standby-data.sh", "tls-refs.sh", "tls-site.sh"], 'tls_prepare "$1"', [gen], {
    PRA_DATA: data,
    DATA_MOUNT: "/srv/pra",
  });

describe("tls_prepare (the standby's side of a generation's TLS)", () => {
  it("keeps the files root-only, points the site at the live generation's copies, and notes the certificate", async () => {
    const { gen, data, le } = receivedGeneration("prepare");
    const r = await prepare(gen, data);
    expect(r.stderr).toMatch(new RegExp(`TLS: certificate for ${HOST} www\\.${HOST} until \\d{4}-`));
    expect(r.code).toBe(0);
    const site = readFileSync(join(gen, "apache", "site.conf"), "utf8");
    expect(site).toContain(`SSLCertificateKeyFile "${data}/current/tls${le}/live/${HOST}/privkey.pem"`);
    expect(readFileSync(join(gen, "apache", "site.primary.conf"), "utf8")).toBe(tlsSite(le, `${le}/live/${HOST}`));
    expect(statSync(join(gen, "tls")).mode & 0o777).toBe(0o700);
    expect(statSync(join(gen, "tls", le, "archive", HOST, "privkey1.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(join(gen, "tls", le, "archive", HOST, "cert1.pem")).mode & 0o077).toBe(0);
    expect(readlinkSync(join(gen, "tls", "pra", "key.pem"))).toBe(`..${le}/live/${HOST}/privkey.pem`);
    // The CA a verifying client trusts: the chain after the leaf of fullchain.pem.
    expect(readFileSync(join(gen, "tls", "pra", "ca.pem"), "utf8")).toBe(
      readFileSync(join(le, "archive", HOST, "chain1.pem"), "utf8"),
    );
    const cert = JSON.parse(readFileSync(join(gen, "tls", "pra", "certificate.json"), "utf8"));
    expect(cert.names).toEqual([HOST, `www.${HOST}`]);
    expect(cert.notAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Idempotent: a resumed switch prepares the same generation again.
    expect((await prepare(gen, data)).code).toBe(0);
    expect(readFileSync(join(gen, "apache", "site.conf"), "utf8")).toBe(site);
    // Never printed: neither the key nor any of its lines.
    const key = readFileSync(join(le, "archive", HOST, "privkey1.pem"), "utf8").split("\n")[1];
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it("publishes certificates only: a chain file that also holds the key (one combined PEM) gives no key to ca.pem", async () => {
    const { gen, data, le } = receivedGeneration("combined");
    const archived = join(gen, "tls", le, "archive", HOST);
    const combined = join(archived, "combined1.pem");
    writeFileSync(
      combined,
      readFileSync(join(archived, "privkey1.pem"), "utf8") + readFileSync(join(archived, "chain1.pem"), "utf8"),
    );
    const site = join(gen, "apache", "site.conf");
    writeFileSync(
      site,
      readFileSync(site, "utf8").replace(
        "  Include ",
        `  SSLCertificateChainFile ${le}/archive/${HOST}/combined1.pem\n  Include `,
      ),
    );
    const r = await prepare(gen, data);
    expect(r.code).toBe(0);
    const ca = readFileSync(join(gen, "tls", "pra", "ca.pem"), "utf8");
    expect(ca).not.toMatch(/PRIVATE KEY/);
    expect(ca).toContain(readFileSync(join(archived, "chain1.pem"), "utf8").trim());
  });

  it("a file the site names that did not arrive fails, naming it", async () => {
    const { gen, data, le } = receivedGeneration("missing");
    execFileSync("rm", [join(gen, "tls", le, "options-ssl-apache.conf")]);
    const r = await prepare(gen, data);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${le}/options-ssl-apache.conf (named by Include in the primary's site config) did not arrive`,
    );
  });

  it("a site without TLS keeps its site file as it is and gets no tls/", async () => {
    const { gen, data } = receivedGeneration("plain", false);
    const r = await prepare(gen, data);
    expect(r.code).toBe(0);
    expect(readFileSync(join(gen, "apache", "site.conf"), "utf8")).toBe("<VirtualHost *:80>\n</VirtualHost>\n");
    expect(() => statSync(join(gen, "tls"))).toThrow();
  });
});

describe("push-files with an HTTPS site", () => {
  /** rsync and ssh stand-ins: rsync keeps the --files-from list it was given. */
  const network = (name: string) =>
    fakeCommands(join(work, name), {
      rsync: `for a in "$@"; do case "$a" in --files-from=*) cp "\${a#--files-from=}" "$call.files-from" ;; esac; done
echo "Total bytes sent: 1,234"`,
      ssh: 'cat > "$call.stdin"',
    });
  const site = (name: string) => {
    const webRoot = join(work, name, "www");
    mkdirSync(join(webRoot, "wp-includes"), { recursive: true });
    writeFileSync(join(webRoot, "wp-config.php"), "<?php // config");
    writeFileSync(join(webRoot, "wp-includes/version.php"), "<?php $wp_version = '6.8';");
    const le = join(work, name, "letsencrypt");
    const { live } = letsEncrypt(le);
    const siteConf = join(work, name, "blog.conf");
    writeFileSync(siteConf, tlsSite(le, live));
    return {
      le,
      live,
      script: renderPushFiles({
        run: "run-1",
        standby,
        standbyPrivateKey: fakeKey,
        webRoot,
        apacheSiteConfig: siteConf,
        ioTimeoutSeconds: 300,
        digestCache: join(work, "web-root.digests"),
      }),
    };
  };

  it("sends live/, archive/ and renewal/ of the certificate's name and the options file, root-only, links kept", async () => {
    const { le, script } = site("push");
    const net = network("push");
    const r = await runScript(script, [], { env: { PATH: net.path } });
    expect(r.stderr).toContain("sent the site's TLS files (4 paths)");
    expect(r.code).toBe(0);
    const tls = net.calls().find((c) => c.argv.some((a) => a.startsWith("--files-from=")));
    expect(tls?.argv).toEqual(
      expect.arrayContaining([
        "-a",
        "-r",
        "--chown=root:root",
        "--chmod=D0700,F0600",
        "/",
        "pra@203.0.113.10:/srv/pra/incoming/run-1/tls/",
      ]),
    );
    expect(readFileSync(`${tls?.file}.files-from`, "utf8")).toBe(
      [`${le}/archive/${HOST}`, `${le}/live/${HOST}`, `${le}/options-ssl-apache.conf`, `${le}/renewal/${HOST}.conf`]
        .map((p) => p.slice(1))
        .sort()
        .join("\n")
        .concat("\n"),
    );
    // The key's path travels in a file list, its content never on any command line.
    const key = readFileSync(join(le, "archive", HOST, "privkey1.pem"), "utf8").split("\n")[1];
    for (const call of net.calls()) expect(call.argv.join(" ")).not.toContain(key);
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it("certbot's separate HTTPS file for the same ServerName (from Apache's own vhost dump) travels with the site file", async () => {
    const dir = join(work, "two-files");
    mkdirSync(join(dir, "www", "wp-includes"), { recursive: true });
    writeFileSync(join(dir, "www", "wp-config.php"), "<?php // config");
    writeFileSync(join(dir, "www", "wp-includes/version.php"), "<?php $wp_version = '6.8';");
    const le = join(dir, "letsencrypt");
    const { live } = letsEncrypt(le);
    const redirect = join(dir, "blog.conf");
    const https = join(dir, "blog-le-ssl.conf");
    writeFileSync(redirect, `<VirtualHost *:80>\n  ServerName ${HOST}\n</VirtualHost>\n`);
    writeFileSync(https, tlsSite(le, live).replace(/^<VirtualHost \*:80>[\s\S]*?<\/VirtualHost>\n/, ""));
    const net = fakeCommands(join(dir, "net"), {
      rsync: `for a in "$@"; do case "$a" in --files-from=*) cp "\${a#--files-from=}" "$call.files-from" ;; */site.conf) cp "$a" "$call.site" ;; esac; done
echo "Total bytes sent: 1,234"`,
      ssh: 'cat > "$call.stdin"',
      // What apache2ctl -t -D DUMP_VHOSTS prints for certbot's two files (and an unrelated site).
      apache2ctl: `printf '%s\\n' 'VirtualHost configuration:' '*:443                  ${HOST} (${https}:2)' '*:80                   is a NameVirtualHost' '         port 80 namevhost ${HOST} (${redirect}:1)' '         port 80 namevhost other.example (/etc/apache2/sites-enabled/other.conf:1)'`,
    });
    const script = renderPushFiles({
      run: "run-1",
      standby,
      standbyPrivateKey: fakeKey,
      webRoot: join(dir, "www"),
      apacheSiteConfig: redirect,
      ioTimeoutSeconds: 300,
      digestCache: join(work, "web-root.digests"),
    });
    const r = await runScript(script, [], { env: { PATH: net.path } });
    expect(r.stderr).toContain(`the site's ${HOST} is also served by ${https}: it travels with ${redirect}`);
    expect(r.code).toBe(0);
    const sent = net.calls().find((c) => c.argv.some((a) => a.endsWith("/apache/site.conf")));
    const site = readFileSync(`${sent?.file}.site`, "utf8");
    expect(site.startsWith(readFileSync(redirect, "utf8"))).toBe(true);
    expect(site).toContain(`# PRA: from ${https} (also serves ${HOST})\n${readFileSync(https, "utf8")}`);
    const tls = net.calls().find((c) => c.argv.some((a) => a.startsWith("--files-from=")));
    expect(readFileSync(`${tls?.file}.files-from`, "utf8")).toContain(`${le.slice(1)}/archive/${HOST}\n`);
  });

  it("a key file the site names that is not there: refused before anything is sent, naming the file", async () => {
    const { live, script } = site("no-key");
    execFileSync("rm", [join(live, "privkey.pem")]);
    const net = network("no-key");
    const r = await runScript(script, [], { env: { PATH: net.path } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${live}/privkey.pem is missing (named by SSLCertificateKeyFile in`);
    expect(net.calls()).toEqual([]);
  });
});
