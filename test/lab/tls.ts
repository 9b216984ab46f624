import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BLOG_HOST, LE_DIR, LE_LIVE } from "./apache";
import type { Host } from "./host";
import { run } from "./proc";

export { LE_DIR, LE_LIVE };
/** Where the lab CA's certificate lies on the primary, for the lab's own requests to its blog. */
export const LAB_CA_ON_HOST = "/etc/pra-lab/ca.pem";

export interface LabTls {
  /** The lab CA's certificate (PEM): what a verifying client trusts. */
  caPem: string;
  /** Its path in the lab directory (root namespace), for curl --cacert from outside the hosts. */
  caFile: string;
  /** The blog certificate's notAfter, as openssl prints it. */
  notAfter: string;
}

/**
 * A CA made fresh per lab run and a certificate it issues for the blog's name (P-256, 90 days, as
 * Let's Encrypt's), written with openssl into the lab directory.
 */
export async function makeLabCertificates(dir: string): Promise<LabTls & { dir: string }> {
  const sh = async (script: string) => run(["bash", "-c", `set -euo pipefail; cd ${dir}; ${script}`]);
  await sh(`umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 \\
  -subj "/CN=PRA lab CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout privkey.pem -out blog.csr -subj "/CN=${BLOG_HOST}" 2>/dev/null
printf 'subjectAltName=DNS:${BLOG_HOST}\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf
openssl x509 -req -in blog.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 -extfile ext.cnf -out cert.pem 2>/dev/null
cp ca.pem chain.pem
cat cert.pem chain.pem > fullchain.pem`);
  const notAfter = (await sh("openssl x509 -in cert.pem -noout -enddate")).stdout.trim().replace(/^notAfter=/, "");
  return { dir, caPem: await readFile(join(dir, "ca.pem"), "utf8"), caFile: join(dir, "ca.pem"), notAfter };
}

/** certbot's options-ssl-apache.conf, shortened: the site Includes it, so the standby needs it too. */
const OPTIONS_SSL_APACHE = `# Written by the PRA lab in the place of certbot's own.
SSLEngine on
SSLProtocol all -SSLv2 -SSLv3 -TLSv1 -TLSv1.1
SSLHonorCipherOrder off
SSLSessionTickets off
`;

/**
 * Puts the certificate in Let's Encrypt's layout on the primary: archive/NAME/*1.pem, live/NAME/*.pem
 * as relative links into archive/, renewal/NAME.conf, options-ssl-apache.conf; keys 0600.
 */
export async function installLetsEncrypt(primary: Host, tls: { dir: string }): Promise<void> {
  const archive = `${LE_DIR}/archive/${BLOG_HOST}`;
  const names = ["cert", "chain", "fullchain", "privkey"];
  await primary.exec(`set -euo pipefail
install -d -m 0755 ${LE_DIR} ${LE_DIR}/live ${LE_DIR}/archive ${LE_DIR}/renewal /etc/pra-lab
install -d -m 0700 ${archive}
install -d -m 0755 ${LE_LIVE}`);
  for (const name of names) {
    const pem = await readFile(join(tls.dir, `${name}.pem`), "utf8");
    await primary.writeFile(`${archive}/${name}1.pem`, pem, name === "privkey" ? "0600" : "0644");
  }
  await primary.writeFile(`${LE_DIR}/options-ssl-apache.conf`, OPTIONS_SSL_APACHE);
  await primary.writeFile(
    `${LE_DIR}/renewal/${BLOG_HOST}.conf`,
    `version = 2.1.0
archive_dir = ${archive}
cert = ${LE_LIVE}/cert.pem
privkey = ${LE_LIVE}/privkey.pem
chain = ${LE_LIVE}/chain.pem
fullchain = ${LE_LIVE}/fullchain.pem

[renewalparams]
authenticator = apache
installer = apache
server = https://acme-v02.api.letsencrypt.org/directory
`,
  );
  await primary.writeFile(LAB_CA_ON_HOST, await readFile(join(tls.dir, "ca.pem"), "utf8"));
  await primary.exec(names.map((n) => `ln -sfn ../../archive/${BLOG_HOST}/${n}1.pem ${LE_LIVE}/${n}.pem`).join("\n"));
}
