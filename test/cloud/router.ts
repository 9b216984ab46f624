import type { IncomingMessage, ServerResponse } from "node:http";

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** The path's captured parts, in order. */
  params: string[];
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Request) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  /** Keystone's token request is the one call made without a token. */
  open: boolean;
}

/** A call the stand-in does not implement: the test that made it must fail and name it. */
export interface UnknownCall {
  method: string;
  url: string;
  body: unknown;
}

const ID = "([0-9a-zA-Z-]+)";

/**
 * Routes by method and path pattern (`{id}` captures one path segment). Anything without a route answers
 * 501 with an OpenStack-style JSON error and is recorded in `unknownCalls`, so a test fails loudly rather
 * than a provider silently getting a made-up answer.
 */
export class Router {
  private readonly routes: Route[] = [];
  readonly unknownCalls: UnknownCall[] = [];
  /** Every call answered, in order: tests read which calls the provider made. */
  readonly calls: string[] = [];

  constructor(private readonly tokenValid: (token: string | undefined) => boolean) {}

  add(method: string, path: string, handler: Handler, opts: { open?: boolean } = {}): void {
    const pattern = new RegExp(`^${path.replace(/\{id\}/g, ID)}/?$`);
    this.routes.push({ method, pattern, handler, open: opts.open ?? false });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch {
      return send(res, { status: 400, body: error(400, "badRequest", "Malformed request body") });
    }
    const method = req.method ?? "GET";
    this.calls.push(`${method} ${url.pathname}`);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      const token = req.headers["x-auth-token"];
      if (!route.open && !this.tokenValid(typeof token === "string" ? token : undefined))
        return send(res, {
          status: 401,
          body: error(401, "Unauthorized", "The request you have made requires authentication."),
        });
      try {
        const reply = await route.handler({
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          params: m.slice(1),
        });
        return send(res, reply);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        console.error(`stand-in cloud: ${method} ${url.pathname} failed:`, e);
        return send(res, { status: 500, body: error(500, "computeFault", message) });
      }
    }
    this.unknownCalls.push({ method, url: `${url.pathname}${url.search}`, body });
    send(res, {
      status: 501,
      body: error(501, "notImplemented", `The stand-in cloud does not implement ${method} ${url.pathname}`),
    });
  }
}

/** OpenStack's error body shape: `{"<kind>": {"code": ..., "message": ...}}` (Nova/Cinder; Neutron reads it too). */
export function error(code: number, kind: string, message: string): unknown {
  return { [kind]: { code, message }, NeutronError: { type: kind, message, detail: "" } };
}

export function notFound(what: string, id: string): Reply {
  return { status: 404, body: error(404, "itemNotFound", `${what} ${id} could not be found.`) };
}

export function badRequest(message: string): Reply {
  return { status: 400, body: error(400, "badRequest", message) };
}

function send(res: ServerResponse, reply: Reply): void {
  const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(text ? { "Content-Type": "application/json" } : {}),
    "Content-Length": Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
