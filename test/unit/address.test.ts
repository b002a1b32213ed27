import { describe, expect, it } from "vitest";
import { clientKey } from "../../src/lib/address";

describe("clientKey", () => {
  it("keeps an IPv4 address, also when mapped into IPv6", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("gives every address of one IPv6 /64 the same key, however it is written", () => {
    const keys = [
      "2001:db8:1:2:3:4:5:6",
      "2001:db8:1:2::7",
      "2001:0DB8:0001:0002:ffff::",
      "2001:db8:1:2::",
    ].map(clientKey);
    expect(new Set(keys)).toEqual(new Set(["2001:db8:1:2::/64"]));
  });

  it("gives different /64s different keys", () => {
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });
});
