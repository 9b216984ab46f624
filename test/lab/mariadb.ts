import type { Host } from "./host";

/** Server side only: clients keep Debian's defaults (mariadb-dump: 16M), as on a real machine. */
const LAB_CNF = `# Written by the PRA test lab (test/lab/mariadb.ts): rows of 16 MB and more must fit.
[mysqld]
max_allowed_packet = 64M
`;

/**
 * A fresh data directory and a mariadbd started by hand: there is no systemd to run the unit, and the
 * Debian init script would also run debian-start checks that only slow the lab down.
 */
export async function startMariadb(host: Host): Promise<void> {
  await host.writeFile("/etc/mysql/mariadb.conf.d/60-pra-lab.cnf", LAB_CNF);
  await host.exec(
    `set -euo pipefail
install -d -m 0755 /var/log/pra-lab
if ! mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db \\
     --auth-root-authentication-method=socket >/var/log/pra-lab/mariadb-install.log 2>&1; then
  tail -n 30 /var/log/pra-lab/mariadb-install.log >&2
  exit 1
fi
setsid -f /usr/sbin/mariadbd --user=mysql </dev/null >>/var/log/pra-lab/mariadb.log 2>&1
for _ in $(seq 1 300); do
  if mariadb-admin ping --silent >/dev/null 2>&1; then exit 0; fi
  sleep 0.1
done
echo "mariadbd did not answer within 30 s" >&2
tail -n 30 /var/log/pra-lab/mariadb.log >&2
exit 1
`,
    { timeoutMs: 60_000 },
  );
}
