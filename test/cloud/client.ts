import type { StandInCloud } from "./cloud";

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: OpenStack's JSON bodies, read field by field in the tests.
  body: any;
}

/** A client that talks to the stand-in as gophercloud does: password login, the catalog's public endpoints. */
export class Client {
  private constructor(
    private readonly token: string,
    private readonly catalog: { type: string; endpoints: { interface: string; url: string }[] }[],
  ) {}

  static async login(cloud: StandInCloud): Promise<Client> {
    const env = cloud.openrc();
    const res = await fetch(`${env.OS_AUTH_URL}/auth/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ["password"],
            password: { user: { name: env.OS_USERNAME, password: env.OS_PASSWORD, domain: { name: "Default" } } },
          },
          scope: { project: { name: env.OS_PROJECT_NAME, domain: { name: "Default" } } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`login to the stand-in failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { token: { catalog: Client["catalog"] } };
    return new Client(res.headers.get("x-subject-token") ?? "", body.token.catalog);
  }

  endpoint(type: string): string {
    const url = this.catalog.find((s) => s.type === type)?.endpoints.find((e) => e.interface === "public")?.url;
    if (!url) throw new Error(`no public ${type} endpoint in the catalog`);
    return url;
  }

  get nova(): string {
    return this.endpoint("compute");
  }
  get neutron(): string {
    return `${this.endpoint("network")}/v2.0`;
  }
  get cinder(): string {
    return this.endpoint("volumev3");
  }
  get glance(): string {
    return `${this.endpoint("image")}/v2`;
  }

  async call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(url, {
      method,
      headers: {
        "X-Auth-Token": this.token,
        "Content-Type": "application/json",
        Accept: "application/json",
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}

/** Polls like the provider's StateChangeConf: returns every status seen, in order, ending with `target`. */
export async function pollUntil(read: () => Promise<string>, target: string, timeoutMs = 30_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await read();
    if (seen.at(-1) !== status) seen.push(status);
    if (status === target) return seen;
    if (Date.now() > deadline) throw new Error(`never reached ${target} in ${timeoutMs} ms; saw ${seen.join(" → ")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
