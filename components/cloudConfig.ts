import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { publicKeyBody } from "../sync/knownHosts";
import { DATA_MOUNT } from "../sync/layout";
import { renderBootScript } from "./bootScript";

export interface CloudConfigParams {
  /** The fixed ed25519 host key (OpenSSH private key and its public line). */
  hostKey: { privateKey: string; publicKey: string };
  /** The non-root login user, with passwordless sudo. */
  user: string;
  /** Public keys authorised for that user: the sync's client key and the operator's own keys. */
  authorizedKeys: string[];
  /** Cinder id of the data volume, to find its device by serial. */
  dataVolumeId: string;
}

/** The parsed structure behind the user data; exported so tests can compare it with what YAML 1.1 reads. */
export function cloudConfigObject(p: CloudConfigParams) {
  return {
    // Only our pinned key: with ssh_keys given, cloud-init generates no random host keys that would break the pin.
    ssh_deletekeys: true,
    ssh_keys: {
      ed25519_private: p.hostKey.privateKey.endsWith("\n") ? p.hostKey.privateKey : `${p.hostKey.privateKey}\n`,
      ed25519_public: publicKeyBody(p.hostKey.publicKey),
    },
    disable_root: true,
    ssh_pwauth: false,
    // cloud-init's Debian default is en_US.UTF-8, which an image may lack (its module then errors);
    // C.UTF-8 is built into every Debian and needs no locale-gen.
    locale: "C.UTF-8",
    // The instance's name resolves without DNS: sudo (the ready check's MariaDB ping) looks it up.
    manage_etc_hosts: "localhost",
    users: [
      {
        name: p.user,
        gecos: "PRA standby operator",
        shell: "/bin/bash",
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        lock_passwd: true,
        ssh_authorized_keys: p.authorizedKeys.map((k) => k.trim()),
      },
    ],
    write_files: [
      { path: "/usr/local/sbin/pra-data-volume", owner: "root:root", permissions: "0755", content: renderBootScript() },
      {
        path: "/etc/systemd/system/mariadb.service.d/pra-data-volume.conf",
        owner: "root:root",
        permissions: "0644",
        content: "[Unit]\n# The datadir is a bind mount from the data volume.\nRequiresMountsFor=/var/lib/mysql\n",
      },
    ],
    runcmd: [["/usr/local/sbin/pra-data-volume", p.dataVolumeId, DATA_MOUNT]],
  };
}

/** Renders the cloud-config user data. YAML 1.1 output, because cloud-init reads YAML 1.1. */
export function renderCloudConfig(p: CloudConfigParams): string {
  return `#cloud-config\n${stringify(cloudConfigObject(p), { version: "1.1", lineWidth: 0 })}`;
}

/**
 * The instance's user data once its keys and the data volume are known: PRA's cloud-config, a secret
 * (it carries the host's private key).
 */
export function standbyUserData(p: {
  hostKey: { privateKey: pulumi.Input<string>; publicKey: pulumi.Input<string> };
  user: string;
  authorizedKeys: pulumi.Input<string>[];
  dataVolumeId: pulumi.Input<string>;
}): pulumi.Output<string> {
  return pulumi.secret(
    pulumi
      .all([p.hostKey.privateKey, p.hostKey.publicKey, pulumi.all(p.authorizedKeys), p.dataVolumeId])
      .apply(([privateKey, publicKey, authorizedKeys, dataVolumeId]) =>
        renderCloudConfig({ hostKey: { privateKey, publicKey }, user: p.user, authorizedKeys, dataVolumeId }),
      ),
  );
}
