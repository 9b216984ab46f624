import type { Host } from "./host";
import { waitForTcp } from "./netns";

export const BLOG_HOST = "blog.example.test";
export const BLOG_ROOT = "/var/www/blog";

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

/**
 * apache2ctl hands "start" to systemctl whenever PID 1 is systemd (as on a CI runner), which would start
 * the machine's Apache instead of the host's. The variable makes apache2ctl start httpd itself; it sits
 * in the host's envvars so that the product's own apache2ctl calls behave the same.
 */
const ENVVARS_LAB = `
# PRA test lab: httpd runs in this host's namespaces, never under the machine's systemd.
export APACHE_STARTED_BY_SYSTEMD=lab
`;

export async function configureApache(host: Host, site: "default" | "blog"): Promise<void> {
  const siteSetup =
    site === "blog"
      ? "a2dissite -q 000-default && a2ensite -q blog"
      : "test -e /etc/apache2/sites-enabled/000-default.conf";
  if (site === "blog") await host.writeFile("/etc/apache2/sites-available/blog.conf", BLOG_SITE);
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
