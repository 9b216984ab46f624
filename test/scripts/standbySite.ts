import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderScript } from "../../sync/scripts";
import { renderInstaller } from "../../sync/standby/install";
import { standbyParams } from "./fixtures";
import { fakeCommands, runScript } from "./run";

/** A site's wp-config.php as WordPress writes it. */
export function wpConfig(dbName: string, prefix = "wp_"): string {
  return `<?php
define( 'DB_NAME', '${dbName}' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'secret' );
define( 'DB_HOST', 'localhost' );
$table_prefix = '${prefix}';
require_once ABSPATH . 'wp-settings.php';
`;
}

/**
 * Fakes of the web stack a switch's preview check talks to: Apache's tools do nothing, MariaDB names
 * post #7 the newest, and curl answers 200 from the preview of run-1 with post #7 on the page.
 */
const servingSite = {
  mariadb: `case "$*" in *"SELECT ID, post_title"*) printf '7\tHello\n' ;; *) cat > "$call.stdin" ;; esac`,
  curl: `while [ $# -gt 0 ]; do case "$1" in -o) body=$2; shift ;; -D) head=$2; shift ;; esac; shift; done
printf 'HTTP/1.1 200 OK\r\nX-PRA-Generation: run-1\r\n\r\n' > "$head"; echo '<article id="post-7">' > "$body"; printf 200`,
  a2enmod: "true",
  a2ensite: "true",
  a2dissite: "true",
  apache2ctl: "true",
};

/**
 * A standby data directory (what PRA_DATA points the scripts at) with the real scripts installed by
 * the real installer, except pra-activate (it drives Apache): a stub that logs its arguments. MariaDB
 * is a fake on PATH that logs its argv and stdin and answers nothing (the lab runs the real one); with
 * `serving`, the web stack is faked as a site that serves (see servingSite).
 */
export async function standbyData(dir: string, opts: { serving?: boolean } = {}) {
  const data = join(dir, "data");
  mkdirSync(data, { recursive: true });
  const installed = await runScript(renderInstaller(standbyParams), [], { env: { PRA_DATA: data } });
  if (installed.code !== 0) throw new Error(`installer failed: ${installed.stderr}`);
  writeFileSync(join(data, "bin/pra-activate"), `#!/bin/bash\necho "$*" >> ${join(dir, "activate.log")}\n`);
  chmodSync(join(data, "bin/pra-activate"), 0o755);
  const fakes = fakeCommands(dir, opts.serving ? servingSite : { mariadb: 'cat > "$call.stdin"' });
  const env = (more: Record<string, string> = {}) => ({
    PRA_DATA: data,
    PRA_PREVIEW_CONFIG: join(dir, "pra-preview.conf"),
    PATH: fakes.path,
    ...more,
  });
  return { data, bin: join(data, "bin"), fakes, env };
}

/** A run as pra-receive leaves it once files and database arrived and pra-import verified the database. */
export async function receivedRun(data: string, run: string, opts: { files?: number; dbName?: string } = {}) {
  const dir = join(data, "incoming", run);
  const www = join(dir, "www");
  mkdirSync(join(www, "wp-content/uploads"), { recursive: true });
  mkdirSync(join(dir, "apache"), { recursive: true });
  writeFileSync(join(www, "wp-config.php"), wpConfig(opts.dbName ?? "wordpress"));
  for (let i = 0; i < (opts.files ?? 3); i++) writeFileSync(join(www, `wp-content/uploads/${i}.txt`), `upload ${i}`);
  writeFileSync(join(dir, "apache/site.conf"), "<VirtualHost *:80>\n</VirtualHost>\n");
  const digest = await runScript(renderScript("primary/web-root-digest", { WEB_ROOT: www }));
  const [sha, entries] = digest.stdout.trim().split(" ");
  writeFileSync(join(dir, "files.json"), JSON.stringify({ digest: sha, entries: Number(entries), bytesSent: 100 }));
  writeFileSync(
    join(dir, "db.json"),
    JSON.stringify({ snapshotTime: "2026-11-25T03:04:05.000000Z", bytesSent: 10, dumpBytes: 40 }),
  );
  writeFileSync(join(dir, "primary-hashes.sorted"), "wp_posts\t1\t0000000A\t00000000000000FF\n");
  writeFileSync(join(dir, "db-verified"), "");
  return dir;
}
