import { describe, expect, it } from "vitest";
import { clientOptions, resolveDbEndpoint } from "../sync/dbEndpoint";

const configured = "/run/mysqld-site/mysqld.sock";

describe("resolveDbEndpoint: DB_HOST as WordPress reads it, plus pra:primaryDbSocket", () => {
  it.each([
    ["localhost", { kind: "socket", path: configured }],
    ["", { kind: "socket", path: configured }],
    // mysqli ignores the port for localhost: WordPress itself talks to the socket.
    ["localhost:3307", { kind: "socket", path: configured }],
    ["localhost:/var/run/other.sock", { kind: "socket", path: "/var/run/other.sock" }],
    [":/tmp/mysql.sock", { kind: "socket", path: "/tmp/mysql.sock" }],
    ["127.0.0.1:13306", { kind: "tcp", host: "127.0.0.1", port: 13306 }],
    ["127.0.0.1", { kind: "tcp", host: "127.0.0.1", port: 3306 }],
    ["db.lan:3310", { kind: "tcp", host: "db.lan", port: 3310 }],
    ["db.lan", { kind: "tcp", host: "db.lan", port: 3306 }],
    ["[::1]:3307", { kind: "tcp", host: "::1", port: 3307 }],
    ["[fd00::5]", { kind: "tcp", host: "fd00::5", port: 3306 }],
  ])("%j", (dbHost, endpoint) => {
    expect(resolveDbEndpoint(dbHost, configured)).toEqual(endpoint);
  });

  it.each(["db lan", "db.lan:port", "localhost:/a path/x.sock", 'localhost:/x".sock', "a:b:c", "db.lan:99999"])(
    "refuses %j, which no option file could carry as it is",
    (dbHost) => {
      expect(() => resolveDbEndpoint(dbHost, configured)).toThrow(/DB_HOST|socket/);
    },
  );

  it("refuses a configured socket that is not a plain absolute path", () => {
    expect(() => resolveDbEndpoint("localhost", "run/x.sock")).toThrow(/not a plain absolute path/);
  });
});

describe("clientOptions", () => {
  it("names the protocol with the socket, or with the host and port", () => {
    expect(clientOptions({ kind: "socket", path: configured })).toBe(`protocol=SOCKET\nsocket=${configured}\n`);
    expect(clientOptions({ kind: "tcp", host: "127.0.0.1", port: 13306 })).toBe(
      "protocol=TCP\nhost=127.0.0.1\nport=13306\n",
    );
  });
});
