import type { Host } from "./host";
import { waitForTcp } from "./netns";

export const BLOG_HOST = "blog.example.test";
export const BLOG_ROOT = "/var/www/blog";
/** Let's Encrypt's layout on the primary, as certbot leaves it (test/lab/tls.ts fills it). */
export const LE_DIR = "/etc/letsencrypt";
export const LE_LIVE = `${LE_DIR}/live/${BLOG_HOST}`;

const BLOG_SITE = `<VirtualHost *:80>
    ServerName ${BLOG_HOST}
    DocumentRoot ${BLOG_ROOT}
    <Directory ${BLOG_ROOT}>
        Options FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>
    ErrorLog \${APACHE_LOG_DIR}/blog-error.log
    CustomLog \${APACHE_LOG_DIR}/blog-access.log combined
</VirtualHost>
`;

const BLOG_DIRECTORY = `    DocumentRoot ${BLOG_ROOT}
    <Directory ${BLOG_ROOT}>
        Options FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>`;

/**
 * The HTTPS blog as certbot --apache leaves it: blog.conf's port 80 redirects to https, and
 * blog-le-ssl.conf, a file of its own, serves port 443 with the Let's Encrypt files and certbot's
 * options, and sends HSTS.
 */
const BLOG_REDIRECT_SITE = `<VirtualHost *:80>
    ServerName ${BLOG_HOST}
${BLOG_DIRECTORY}
    RewriteEngine on
    RewriteCond %{SERVER_NAME} =${BLOG_HOST}
    RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]
</VirtualHost>
`;
const BLOG_LE_SSL_SITE = `<IfModule mod_ssl.c>
<VirtualHost *:443>
    ServerName ${BLOG_HOST}
${BLOG_DIRECTORY}
    Header always set Strict-Transport-Security "max-age=31536000"
    ErrorLog \${APACHE_LOG_DIR}/blog-error.log
    CustomLog \${APACHE_LOG_DIR}/blog-access.log combined
    SSLCertificateFile ${LE_LIVE}/fullchain.pem
    SSLCertificateKeyFile ${LE_LIVE}/privkey.pem
    Include ${LE_DIR}/options-ssl-apache.conf
</VirtualHost>
</IfModule>
`;

/**
 * apache2ctl hands "start" to systemctl whenever PID 1 is systemd (as on a CI runner), which would start
 * the machine's Apache instead of the host's. The variable makes apache2ctl start httpd itself; it sits
 * in the host's envvars so that the product's own apache2ctl calls behave the same.
 */
const ENVVARS_LAB = `
# PRA test lab: httpd runs in this host's namespaces, never under the machine's systemd.
export APACHE_STARTED_BY_SYSTEMD=lab
`;

/** "blog-tls": the blog over HTTPS (the Let's Encrypt files must be in place, test/lab/tls.ts). */
export async function configureApache(host: Host, site: "default" | "blog" | "blog-tls"): Promise<void> {
  const siteSetup =
    site === "default"
      ? "test -e /etc/apache2/sites-enabled/000-default.conf"
      : `a2dissite -q 000-default && a2ensite -q blog${site === "blog-tls" ? " blog-le-ssl && a2enmod -q ssl headers" : ""}`;
  if (site === "blog") await host.writeFile("/etc/apache2/sites-available/blog.conf", BLOG_SITE);
  if (site === "blog-tls") {
    await host.writeFile("/etc/apache2/sites-available/blog.conf", BLOG_REDIRECT_SITE);
    await host.writeFile("/etc/apache2/sites-available/blog-le-ssl.conf", BLOG_LE_SSL_SITE);
  }
  await host.exec(
    `set -euo pipefail
cat >>/etc/apache2/envvars <<'EOF'
${ENVVARS_LAB}
EOF
a2enmod -q rewrite >/dev/null
${siteSetup} >/dev/null
apache2ctl configtest 2>&1 | grep -q 'Syntax OK' || { apache2ctl configtest >&2; exit 1; }
`,
  );
}

export async function startApache(host: Host): Promise<void> {
  await host.exec(
    "install -d /var/log/pra-lab && apache2ctl start </dev/null >/var/log/pra-lab/apache-start.log 2>&1 || { cat /var/log/pra-lab/apache-start.log >&2; exit 1; }",
  );
  await waitForTcp(host.address, 80, 10_000);
}
