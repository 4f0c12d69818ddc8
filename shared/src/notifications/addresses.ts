import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a server-side call (notifyUrl) may reach: public unicast
 * only. Anything else — loopback, private, link-local, unique-local, CGNAT,
 * unspecified, multicast, broadcast, benchmarking, documentation, reserved —
 * is the service's own network or nobody's, and is refused.
 *
 * IPv6 forms that carry an IPv4 address are judged by what they reach:
 * IPv4-mapped (::ffff:0:0/96) and NAT64's well-known prefix (64:ff9b::/96)
 * by the IPv4 address inside, since a dual-stack resolver or DNS64 hands those
 * out for ordinary public hosts. Every other transition form is refused
 * outright: IPv4-compatible (::/96, deprecated), IPv4-translated
 * (::ffff:0:0:0/96, internal to SIIT), local-use NAT64 (64:ff9b:1::/48, where
 * the IPv4 sits wherever the operator chose), 6to4 (2002::/16, deprecated)
 * and Teredo (2001::/32, IPv4 obfuscated) — no webhook receiver needs them,
 * and decoding them would mean trusting a relay we do not know.
 */

/** ipaddr.js's range names, as a refusal reads them. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'site-local',
  reserved: 'reserved or documentation',
  benchmarking: 'benchmarking',
  rfc6145: 'IPv4-translated',
  rfc6052: 'NAT64',
  '6to4': '6to4',
  teredo: 'Teredo',
};

/** IANA's global unicast block: IPv6 outside it (::/96 IPv4-compatible among them) is never a public host. */
const GLOBAL_UNICAST = ipaddr.IPv6.parse('2000::');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parse('64:ff9b::');
const IPV4_COMPATIBLE = ipaddr.IPv6.parse('::');

function ipv4Refusal(ip: ipaddr.IPv4): string | undefined {
  const range = ip.range();
  return range === 'unicast' ? undefined : (RANGE_NAMES[range] ?? range);
}

function ipv6Refusal(ip: ipaddr.IPv6): string | undefined {
  if (ip.isIPv4MappedAddress()) return within('IPv4-mapped', ip.toIPv4Address());
  if (ip.match(NAT64_WELL_KNOWN, 96)) return within('NAT64', last32Bits(ip));
  const range = ip.range();
  if (range !== 'unicast') return RANGE_NAMES[range] ?? range;
  if (ip.match(IPV4_COMPATIBLE, 96)) return 'IPv4-compatible';
  return ip.match(GLOBAL_UNICAST, 3) ? undefined : 'not global unicast';
}

/** The IPv4 address in an IPv6 address's last 32 bits. */
function last32Bits(ip: ipaddr.IPv6): ipaddr.IPv4 {
  const [high, low] = ip.parts.slice(6);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function within(form: string, embedded: ipaddr.IPv4): string | undefined {
  const refusal = ipv4Refusal(embedded);
  return refusal && `${form} ${refusal}`;
}

/**
 * `::a.b.c.d` in hexadecimal. ipaddr.js reads that old notation as
 * IPv4-mapped (::ffff:a.b.c.d); it is IPv4-compatible (::/96), and c-ares
 * writes ::7f00:1 that way.
 */
function hexTail(ipv6: string): string {
  return ipv6.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    [Number(a) * 256 + Number(b), Number(c) * 256 + Number(d)].map((n) => n.toString(16)).join(':'),
  );
}

/**
 * Why the service must not call `address`, as a few words ("loopback",
 * "IPv4-mapped private"), or undefined for a public unicast address.
 * Anything that is not a plain IP address (as Node reads one) is refused too.
 */
export function addressRefusal(address: string): string | undefined {
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 4) return ipv4Refusal(ipaddr.IPv4.parse(address));
  if (family === 6) return ipv6Refusal(ipaddr.IPv6.parse(hexTail(address)));
  return 'not an IP address';
}

export function isPrivateAddress(address: string): boolean {
  return addressRefusal(address) !== undefined;
}
