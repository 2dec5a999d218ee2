/**
 * What daybook keeps and counts of a client's address, never the address itself: the sessions page
 * shows its /24 (IPv4) or /48 (IPv6), and sign-in's per-client limit counts its network, since the
 * holder of an IPv6 address has its whole /64 to hop around in.
 */
import { isIPv4, isIPv6 } from "node:net";

/** The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) carries, or the address itself. */
function unmapped(address: string): string {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}

/** The network a client controls: an IPv4 address itself, an IPv6 address's /64. */
export function clientNetwork(address: string): string {
  const v4 = unmapped(address);
  if (isIPv4(v4)) return v4;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/**
 * What the sessions page shows of an address: its /24 (IPv4) or /48 (IPv6) network, never the full
 * address. "unknown" when there is none.
 */
export function approximateIp(address: string | undefined): string {
  if (address === undefined) return "unknown";
  const v4 = unmapped(address);
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
