// Where a webhook may point: a public HTTPS endpoint. A subscriber must not be able to make the
// Worker call into a private network or a cloud metadata service (SSRF), so hosts that name
// one are refused. The URL parser has already turned every spelling of an IP address
// (0x7f.1, 2130706433, [::ffff:127.0.0.1]) into its one canonical form.

export const MAX_URL_LENGTH = 2048;

/** Host names that only ever lead inside: the machine itself, or a cloud's metadata service. */
const INTERNAL_NAMES = /(^|\.)(localhost|internal|local|home\.arpa)$/;

/** IPv4 ranges no webhook may reach: [first address, prefix length]. */
const BLOCKED_V4: [number[], number][] = [
  [[0, 0, 0, 0], 8], // "this network"
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local, where cloud metadata services answer
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, and the broadcast address
];

const v4Number = (octets: number[]) => octets.reduce((n, octet) => n * 256 + octet, 0);

function blockedV4(octets: number[]): boolean {
  const address = v4Number(octets);
  return BLOCKED_V4.some(([first, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(address / size) === Math.floor(v4Number(first) / size);
  });
}

/** The eight 16-bit groups of a canonical IPv6 address (the URL parser's form, no brackets). */
function v6Groups(address: string): number[] {
  const [head = "", tail] = address.split("::");
  const parse = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail ?? "");
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** The IPv4 address held in two 16-bit groups. */
const v4In = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff];

function blockedV6(groups: number[]): boolean {
  const [first = 0, second = 0, third = 0, , , sixth = 0, seventh = 0, eighth = 0] = groups;
  const allZeroUpTo = (n: number) => groups.slice(0, n).every((g) => g === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): the IPv4 address decides.
  if (allZeroUpTo(5) && (sixth === 0xffff || sixth === 0)) {
    if (sixth === 0 && seventh === 0 && eighth <= 1) return true; // :: and ::1
    return blockedV4(v4In(seventh, eighth));
  }
  // IPv4 carried inside IPv6, which a gateway turns back into it: NAT64's well-known prefix
  // (64:ff9b::/96) and 6to4 (2002::/16). The IPv4 address decides.
  if (first === 0x64 && second === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) {
    return blockedV4(v4In(seventh, eighth));
  }
  if (first === 0x2002) return blockedV4(v4In(second, third));
  // NAT64's local-use prefix (64:ff9b:1::/48) and Teredo (2001::/32) lead to addresses of
  // a private network, or hide them.
  if ((first === 0x64 && second === 0xff9b && third === 1) || (first === 0x2001 && second === 0)) {
    return true;
  }
  return (
    (first & 0xfe00) === 0xfc00 || // unique local (fc00::/7), AWS's metadata fd00:ec2::254 too
    (first & 0xffc0) === 0xfe80 || // link-local
    (first & 0xff00) === 0xff00 // multicast
  );
}

/** Why `hostname` (a URL's) is no place for a webhook, or undefined when it may be one. */
function blockedHost(hostname: string): string | undefined {
  // A trailing dot names the same host (the DNS root): `localhost.` is localhost, and the
  // URL parser leaves `10.0.0.1..` a name, not an address.
  const host = hostname.replace(/\.+$/, "");
  if (host.startsWith("[")) {
    return blockedV6(v6Groups(host.slice(1, -1)))
      ? "must not be a loopback, private, link-local or other internal IPv6 address"
      : undefined;
  }
  const v4 = host.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    return blockedV4(v4.slice(1).map(Number))
      ? "must not be a loopback, private, link-local, CGNAT or other internal IPv4 address"
      : undefined;
  }
  if (!host.includes(".") || INTERNAL_NAMES.test(host))
    return "must be a public host name, not localhost or an internal name";
  return undefined;
}

/** Local receivers that WEBHOOKS_ALLOW_LOCAL_HTTP lets through, for development and tests. */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Why `value` may not be a webhook's URL, or undefined when it may: an absolute `https` URL
 * without user info, to a public host. With `allowLocal`, `http://127.0.0.1`, `localhost`
 * and `[::1]` (any port) are allowed too.
 */
export function webhookUrlProblem(value: string, allowLocal: boolean): string | undefined {
  if (!URL.canParse(value)) return "must be an absolute URL";
  const url = new URL(value);
  if (allowLocal && LOCAL_HOSTS.has(url.hostname) && ["http:", "https:"].includes(url.protocol))
    return undefined;
  if (url.protocol !== "https:") return "must use https";
  if (url.username || url.password) return "must not contain a user name or password";
  return blockedHost(url.hostname);
}
