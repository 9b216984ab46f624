/** The standby endpoint and login key the primary-side scripts are rendered with in the tests. */
export const standby = {
  host: "203.0.113.10",
  port: 22,
  user: "pra",
  hostPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostHostHostHostHostHostHostHostHostHostHost",
  hostKeyAlias: "pra-standby",
};

export const fakeKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKEKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";

/** What the standby scripts are rendered with. */
export const standbyParams = {
  webRoot: "/var/www/blog",
  siteHostname: "blog.example.org",
  keep: 7,
  maxDeletePercent: 10,
};
