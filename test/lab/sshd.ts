import type { Host } from "./host";
import type { KeyPair } from "./keys";
import { waitForTcp } from "./netns";
import { LOGIN_USER } from "./users";

/**
 * Replaces the host's (private) /etc/ssh/sshd_config rather than using a side file, so that a
 * `service ssh restart` run by the product inside the host brings back the same daemon.
 */
function sshdConfig(address: string): string {
  return `# Written by the PRA test lab (test/lab/sshd.ts)
ListenAddress ${address}:22
HostKey /etc/ssh/ssh_host_ed25519_key
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers ${LOGIN_USER}
AuthorizedKeysFile /etc/ssh/pra-lab/authorized_keys .ssh/authorized_keys
UsePAM yes
PrintMotd no
AcceptEnv LANG LC_*
PidFile /run/sshd.pid
# Pulumi opens many sessions at once; the default 10:30:100 drops some at random.
MaxStartups 100:30:200
MaxSessions 50
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server
`;
}

export async function startSshd(host: Host, hostKey: KeyPair, clientPublicKey: string): Promise<void> {
  // Only the lab's host key may be offered, or a pinned-key test could pass on another key type.
  await host.exec("rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub && install -d -m 0755 /var/log/pra-lab");
  await Promise.all([
    host.writeFile("/etc/ssh/ssh_host_ed25519_key", hostKey.privateKey, "0600"),
    host.writeFile("/etc/ssh/ssh_host_ed25519_key.pub", `${hostKey.publicKey} root@${host.name}\n`),
    host.writeFile("/etc/ssh/pra-lab/authorized_keys", `${clientPublicKey} pra-lab-client\n`),
    host.writeFile("/etc/ssh/sshd_config", sshdConfig(host.address)),
  ]);
  await host.exec(
    "/usr/sbin/sshd -t -f /etc/ssh/sshd_config && " +
      "setsid -f /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config </dev/null >>/var/log/pra-lab/sshd.log 2>&1",
  );
  await waitForTcp(host.address, 22, 10_000).catch(async (e: unknown) => {
    const log = await host.exec("tail -n 20 /var/log/pra-lab/sshd.log", { allowFail: true });
    throw new Error(`sshd on ${host.name}: ${String(e)}\n${log.stdout}`);
  });
}
