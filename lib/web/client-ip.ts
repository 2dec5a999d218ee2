/**
 * The client's address, from where each runtime puts it: on Lambda, the function URL's or API
 * Gateway's request context (the address that connected to AWS, which a client cannot set, unlike
 * X-Forwarded-For); under @hono/node-server, the socket. Undefined in app.request() without either.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { Context } from "hono";

const MAX_ADDRESS_LENGTH = 64;

export function getClientIp(c: Context): string | undefined {
  const env: unknown = c.env;
  const address = lambdaSourceIp(env) ?? socketAddress(env);
  return address !== undefined && address.length <= MAX_ADDRESS_LENGTH && (isIPv4(address) || isIPv6(address)) ? address : undefined;
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function lambdaSourceIp(env: unknown): string | undefined {
  const requestContext = field(env, "requestContext");
  // Function URLs and HTTP APIs (payload 2.0), then REST APIs (payload 1.0).
  return asString(field(field(requestContext, "http"), "sourceIp")) ?? asString(field(field(requestContext, "identity"), "sourceIp"));
}

function socketAddress(env: unknown): string | undefined {
  return asString(field(field(field(env, "incoming"), "socket"), "remoteAddress"));
}

/**
 * What the sessions page shows of an address: its /24 (IPv4) or /48 (IPv6) network, never the full
 * address. "unknown" when there is none.
 */
export function approximateIp(address: string | undefined): string {
  if (address === undefined) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = mapped ?? address;
  if (isIPv4(v4)) return `${v4.split(".").slice(0, 3).join(".")}.0/24`;
  if (!isIPv6(address)) return "unknown";
  const groups = expandIPv6(address).slice(0, 3).map((group) => group.replace(/^0+(?=.)/, ""));
  return `${groups.join(":")}::/48`;
}

/** The eight 16-bit groups of an IPv6 address, "::" filled in (an embedded IPv4 tail counts as two). */
function expandIPv6(address: string): string[] {
  const withoutZone = address.split("%")[0] ?? address;
  const [head = "", tail] = withoutZone.split("::");
  const parts = (text: string): string[] => (text === "" ? [] : text.split(":").flatMap(ipv4TailAsGroups));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => "0");
  return [...left, ...zeros, ...right];
}

function ipv4TailAsGroups(part: string): string[] {
  if (!part.includes(".")) return [part];
  const bytes = part.split(".").map(Number);
  const group = (high = 0, low = 0) => ((high << 8) | low).toString(16);
  return [group(bytes[0], bytes[1]), group(bytes[2], bytes[3])];
}
