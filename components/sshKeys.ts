import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/**
 * The standby's fixed ed25519 host key and the sync's client key, generated once and kept as
 * secrets in state: they stay the same across instance replacements, so the pin never changes.
 * ed25519 because @pulumi/command's hostKey pin restricts the handshake to the key's own
 * algorithm, and an RSA pin would offer SHA-1 ssh-rsa, which current OpenSSH refuses.
 */
export class StandbyKeys extends pulumi.ComponentResource {
  readonly hostPublicKey: pulumi.Output<string>;
  readonly hostPrivateKey: pulumi.Output<string>;
  readonly clientPublicKey: pulumi.Output<string>;
  readonly clientPrivateKey: pulumi.Output<string>;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("pra:components:StandbyKeys", name, {}, opts);
    const host = new tls.PrivateKey(`${name}-host`, { algorithm: "ED25519" }, { parent: this, protect: true });
    const client = new tls.PrivateKey(`${name}-client`, { algorithm: "ED25519" }, { parent: this });
    this.hostPublicKey = host.publicKeyOpenssh.apply((k) => k.trim());
    this.hostPrivateKey = pulumi.secret(host.privateKeyOpenssh);
    this.clientPublicKey = client.publicKeyOpenssh.apply((k) => k.trim());
    this.clientPrivateKey = pulumi.secret(client.privateKeyOpenssh);
    this.registerOutputs({
      hostPublicKey: this.hostPublicKey,
      hostPrivateKey: this.hostPrivateKey,
      clientPublicKey: this.clientPublicKey,
      clientPrivateKey: this.clientPrivateKey,
    });
  }
}
