import * as net from "node:net";

/** An IPv4 or IPv6 CIDR as numbers: the address as written and the prefix length. */
export interface Cidr {
  family: 4 | 6;
  prefix: number;
  address: bigint;
}

export const addressBits = { 4: 32, 6: 128 } as const;

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint | undefined {
  if (text.includes("%")) return undefined; // a zone index names an interface, not a network
  let groups = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Value(dotted[1]);
    groups = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = groups.split("::");
  const words = (part: string | undefined) => (part ? part.split(":") : []);
  const all =
    tail === undefined
      ? words(head)
      : [...words(head), ...Array(8 - words(head).length - words(tail).length).fill("0"), ...words(tail)];
  return all.reduce((value, word) => (value << 16n) | BigInt(Number.parseInt(word, 16)), 0n);
}

/** Parses "address/prefix"; undefined when it is not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const family = net.isIP(match[1]);
  const prefix = Number(match[2]);
  if (family !== 4 && family !== 6) return undefined;
  if (prefix > addressBits[family]) return undefined;
  const address = family === 4 ? ipv4Value(match[1]) : ipv6Value(match[1]);
  return address === undefined ? undefined : { family, prefix, address };
}

const hostMask = (c: Cidr) => (1n << BigInt(addressBits[c.family] - c.prefix)) - 1n;

/** The network the CIDR belongs to, host bits cleared. */
export function networkOf(c: Cidr): Cidr {
  return { ...c, address: c.address & ~hostMask(c) };
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  const words = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((value >> shift) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes "::".
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && words[start + length] === "0") length++;
    if (length > best.length) best = { start, length };
  }
  if (best.start < 0) return words.join(":");
  return `${words.slice(0, best.start).join(":")}::${words.slice(best.start + best.length).join(":")}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.address)}/${c.prefix}`;
}

/** Whether the networks together leave no address of the family out. */
export function coverFamily(cidrs: Cidr[], family: 4 | 6): boolean {
  const ranges = cidrs
    .filter((c) => c.family === family)
    .map((c) => {
      const start = networkOf(c).address;
      return { start, end: start + hostMask(c) + 1n };
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let coveredUpTo = 0n;
  for (const r of ranges) {
    if (r.start > coveredUpTo) return false;
    if (r.end > coveredUpTo) coveredUpTo = r.end;
  }
  return coveredUpTo === 1n << BigInt(addressBits[family]);
}
