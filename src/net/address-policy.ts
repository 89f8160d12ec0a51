import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which network addresses the server may reach on a user's word (URL imports and their redirects).
 * Only globally routable unicast addresses pass: ipaddr.js names every special range (loopback, private,
 * link-local — where cloud metadata lives, 169.254.169.254 and fd00:ec2::254 —, multicast, carrier-grade
 * NAT, reserved, 6to4/Teredo wrappers of IPv4, …) and we accept only its `unicast`. An operator may allow
 * more by host name or CIDR (URL_IMPORT_ALLOW), e.g. an internal mirror.
 */
export interface AddressPolicy {
  /** Null when the address may be reached, else why not (no address in the text: it would be an oracle). */
  refusal(hostname: string, address: string): string | null;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function canonical(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  // process() turns ::ffff:127.0.0.1 into 127.0.0.1, so a mapped address meets the IPv4 rules.
  return ipaddr.process(address);
}

function parseEntry(entry: string): { host: string } | { range: Range } {
  if (ipaddr.isValidCIDR(entry)) return { range: ipaddr.parseCIDR(entry) };
  if (isIP(entry)) {
    const address = ipaddr.parse(entry);
    return { range: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  return { host: entry.toLowerCase().replace(/\.$/, '') };
}

export function createAddressPolicy(allow: readonly string[]): AddressPolicy {
  const hosts = new Set<string>();
  const ranges: Range[] = [];
  for (const entry of allow) {
    const parsed = parseEntry(entry);
    if ('host' in parsed) hosts.add(parsed.host);
    else ranges.push(parsed.range);
  }
  return {
    refusal(hostname, address) {
      if (hosts.has(hostname.toLowerCase().replace(/\.$/, ''))) return null;
      if (!ipaddr.isValid(address)) return 'is not an IP address';
      const parsed = canonical(address);
      const forms = [ipaddr.parse(address), parsed];
      if (forms.some((form) => ranges.some(([net, bits]) => net.kind() === form.kind() && form.match(net, bits)))) return null;
      const range = parsed.range();
      return range === 'unicast' ? null : `is not a public address (${range})`;
    },
  };
}
