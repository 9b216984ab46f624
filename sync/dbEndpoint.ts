/**
 * Where the primary's MariaDB is reached: resolved ONCE per step from the site's own DB_HOST (in its
 * wp-config.php) and pra:primaryDbSocket, then used by every tool that talks to it (the dump, the
 * hashing connection, the fingerprint, the failback's safety copy and import-back), so that the data
 * copied and the hashes that vouch for it come from the one server WordPress itself uses.
 */
export type DbEndpoint = { kind: "socket"; path: string } | { kind: "tcp"; host: string; port: number };

const DEFAULT_PORT = 3306;
/** What may reach an option file unquoted (and an ssh -L forward): no space, quote, # or newline. */
const SAFE_PATH = /^\/[A-Za-z0-9._/+@=-]*$/;
const SAFE_HOST = /^[A-Za-z0-9._:-]+$/;

function checked(e: DbEndpoint, dbHost: string): DbEndpoint {
  if (e.kind === "socket" && !SAFE_PATH.test(e.path))
    throw new Error(
      `database socket ${JSON.stringify(e.path)} (from DB_HOST ${JSON.stringify(dbHost)}) is not a plain absolute path`,
    );
  if (e.kind === "tcp" && (!SAFE_HOST.test(e.host) || !(e.port > 0 && e.port < 65536)))
    throw new Error(`DB_HOST ${JSON.stringify(dbHost)} is not a plain host[:port]`);
  return e;
}

/**
 * The server WordPress connects to for DB_HOST, read as WordPress does (wpdb::parse_db_host, then
 * mysqli): `host[:port][:/socket]`, IPv6 in brackets. An empty host or `localhost` means a unix
 * socket, as mysqli makes it, whatever port is given: the one named after `:`, else
 * pra:primaryDbSocket (`configuredSocket`), which says where the primary's PHP finds its default one.
 * Any other host is TCP, on port 3306 unless given.
 */
export function resolveDbEndpoint(dbHost: string, configuredSocket: string): DbEndpoint {
  let host = dbHost.trim();
  let socket: string | undefined;
  const at = host.indexOf(":/");
  if (at >= 0) {
    socket = host.slice(at + 1);
    host = host.slice(0, at);
  }
  let port: number | undefined;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(host);
  const plain = /^([^:[\]]*)(?::(\d+))?$/.exec(host);
  const m = v6 ?? plain;
  if (!m) throw new Error(`DB_HOST ${JSON.stringify(dbHost)} is not host[:port][:/socket]`);
  host = m[1];
  if (m[2] !== undefined) port = Number(m[2]);
  if (host === "" || host === "localhost") return checked({ kind: "socket", path: socket ?? configuredSocket }, dbHost);
  return checked({ kind: "tcp", host, port: port ?? DEFAULT_PORT }, dbHost);
}

/**
 * The option-file lines (after a [client] line) that reach the endpoint, the protocol named so that
 * the client never falls back to another server: a socket, or a host and port.
 */
export function clientOptions(e: DbEndpoint): string {
  return e.kind === "socket" ? `protocol=SOCKET\nsocket=${e.path}\n` : `protocol=TCP\nhost=${e.host}\nport=${e.port}\n`;
}

/** For messages: the socket path, or host:port. */
export function describeEndpoint(e: DbEndpoint): string {
  return e.kind === "socket" ? `socket ${e.path}` : `${e.host.includes(":") ? `[${e.host}]` : e.host}:${e.port}`;
}
