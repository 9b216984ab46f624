import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BLOG_HOST, BLOG_ROOT } from "./apache";
import type { Host } from "./host";
import { LAB_CA_ON_HOST } from "./tls";

const HELPERS_DIR = "/var/lib/pra-lab/wp";
const HELPERS = ["bootstrap.php", "install.php", "add-post.php", "add-comment.php"];
const SUPERCACHE_DIR = `${BLOG_ROOT}/wp-content/cache/supercache/${BLOG_HOST}`;
const UPLOADS_DIR = `${BLOG_ROOT}/wp-content/uploads/2026/11`;

export const FIRST_POSTS = [
  { title: "Premier billet du labo", content: "<p>Le blog tourne sur le serveur principal.</p>" },
  { title: "Sauvegardes à froid", content: "<p>Une copie dort sur un volume, prête à démarrer.</p>" },
  { title: "Lab newest post", content: "<p>The newest post when the lab starts.</p>" },
];

function asset(name: string): string {
  return readFileSync(join(__dirname, "wp", name), "utf8");
}

/** Characters of a wp-config salt that need no escaping inside a single-quoted PHP string. */
function salt(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~";
  return [...randomBytes(64)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** A standalone wp-config.php, as on a blog installed from wordpress.org (not Debian's /etc/wordpress loader). */
function wpConfig(dbPassword: string, scheme: "http" | "https"): string {
  const keys = [
    "AUTH_KEY",
    "SECURE_AUTH_KEY",
    "LOGGED_IN_KEY",
    "NONCE_KEY",
    "AUTH_SALT",
    "SECURE_AUTH_SALT",
    "LOGGED_IN_SALT",
    "NONCE_SALT",
  ];
  return `<?php
define( 'WP_CACHE', true ); // Added by WP-Cache Manager
/**
 * The base configuration for WordPress
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', '${dbPassword}' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

${keys.map((k) => `define( '${k}', '${salt()}' );`).join("\n")}

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'WP_HOME', '${scheme}://${BLOG_HOST}' );
define( 'WP_SITEURL', '${scheme}://${BLOG_HOST}' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
`;
}

/** A 1x1 PNG: uploads are real images next to plain binary files. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

function uploads(): Record<string, Buffer> {
  return {
    "cold-standby.png": PNG,
    "cold-standby-150x150.png": PNG,
    "notes de voyage.pdf": Buffer.concat([Buffer.from("%PDF-1.4\n"), randomBytes(3000)]),
    "backup-sample.bin": randomBytes(64 * 1024),
  };
}

/** Copies Debian's WordPress into the web root and plants the blog's files, WP Super Cache leftovers included. */
export async function plantWebRoot(primary: Host, scheme: "http" | "https" = "http"): Promise<string> {
  const dbPassword = randomBytes(18).toString("hex");
  // cp -a keeps Debian's symlinks (wp-includes/js -> /usr/share/javascript) as symlinks, like a real copy would.
  // The blog's name resolves to the primary on the primary (WordPress cron and site health call the site itself).
  await primary.exec(
    `set -euo pipefail
printf '%s\\t%s\\n' ${primary.address} ${BLOG_HOST} >>/etc/hosts
cp -a /usr/share/wordpress ${BLOG_ROOT}
rm -f ${BLOG_ROOT}/wp-config.php ${BLOG_ROOT}/.htaccess
install -d ${BLOG_ROOT}/wp-content/uploads ${UPLOADS_DIR} ${SUPERCACHE_DIR} ${HELPERS_DIR}`,
  );
  const files: Array<[string, string | Buffer, string]> = [
    [`${BLOG_ROOT}/wp-config.php`, wpConfig(dbPassword, scheme), "0640"],
    [`${BLOG_ROOT}/.htaccess`, asset("htaccess"), "0644"],
    [`${BLOG_ROOT}/wp-content/advanced-cache.php`, asset("advanced-cache.php"), "0644"],
    [`${BLOG_ROOT}/wp-content/object-cache.php`, asset("object-cache.php"), "0644"],
    ...Object.entries(uploads()).map(([name, data]): [string, Buffer, string] => [
      `${UPLOADS_DIR}/${name}`,
      data,
      "0644",
    ]),
    ...HELPERS.map((name): [string, string, string] => [`${HELPERS_DIR}/${name}`, asset(name), "0644"]),
  ];
  await Promise.all(files.map(([path, content, mode]) => primary.writeFile(path, content, mode)));
  await primary.exec(`chown -R -h www-data:www-data ${BLOG_ROOT}`);
  return dbPassword;
}

export async function installWordPress(primary: Host, dbPassword: string): Promise<void> {
  await primary.sql(`CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER 'wp'@'localhost' IDENTIFIED BY '${dbPassword}';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wp'@'localhost';`);
  const input = {
    title: "PRA lab blog",
    adminPassword: randomBytes(12).toString("hex"),
    posts: FIRST_POSTS,
    comment: "Premier commentaire : bravo pour la reprise après sinistre !",
  };
  await runHelper(primary, "install.php", input);
}

export async function addPost(primary: Host, title: string, content: string): Promise<number> {
  const id = Number.parseInt(await runHelper(primary, "add-post.php", { title, content }), 10);
  await refreshSupercache(primary);
  return id;
}

export async function addComment(primary: Host, postId: number, text: string): Promise<number> {
  const id = Number.parseInt(await runHelper(primary, "add-comment.php", { postId, text }), 10);
  await refreshSupercache(primary);
  return id;
}

async function runHelper(primary: Host, script: string, input: object): Promise<string> {
  const r = await primary.exec(`runuser -u www-data -- php ${HELPERS_DIR}/${script}`, {
    input: JSON.stringify(input),
    timeoutMs: 60_000,
  });
  return r.stdout.trim();
}

/**
 * Does what WP Super Cache does after a publish: renders the home page and stores it where the
 * .htaccess rules serve it from, without PHP. The query string keeps Apache from answering with the
 * previous cached copy. An HTTPS blog (the lab CA on the host) is asked over https, as a visitor would.
 */
export async function refreshSupercache(primary: Host): Promise<void> {
  await primary.exec(
    `set -euo pipefail
cd ${SUPERCACHE_DIR}
if [ -f ${LAB_CA_ON_HOST} ]; then
  curl -fsS --max-time 30 --cacert ${LAB_CA_ON_HOST} --resolve ${BLOG_HOST}:443:127.0.0.1 -o index.html.tmp 'https://${BLOG_HOST}/?pra-lab-supercache=1'
else
  curl -fsS --max-time 30 -H 'Host: ${BLOG_HOST}' -o index.html.tmp 'http://127.0.0.1/?pra-lab-supercache=1'
fi
printf '\\n<!-- Dynamic page generated in 0.%03d seconds. -->\\n<!-- Cached page generated by WP-Super-Cache on %s -->\\n\\n<!-- super cache -->' \\
  $((RANDOM % 1000)) "$(date -u '+%Y-%m-%d %H:%M:%S')" >>index.html.tmp
gzip -9 -n -c index.html.tmp >index.html.gz.tmp
chown www-data:www-data index.html.tmp index.html.gz.tmp
mv index.html.tmp index.html
mv index.html.gz.tmp index.html.gz`,
  );
}
