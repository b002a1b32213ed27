import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import committed from "../../public/openapi.json";
import { expectDocumentedResponse } from "../helpers/contract";

// The files of public/, which Static Assets serve before the Worker runs, with the headers of
// public/_headers. Under vitest the assets are not in front of the Worker (wrangler dev and
// Cloudflare put them there, and scripts/check-docs-page.js tries the page in a browser), so
// these ask the ASSETS binding, which applies public/_headers as production does.

const fetchAsset = async (path: string) => {
  const request = new Request(`http://localhost${path}`);
  const response = await env.ASSETS.fetch(request);
  await expectDocumentedResponse(request, response, { headers: false });
  return response;
};

describe("/openapi.json", () => {
  it("is the committed document, readable from any origin, and never run as a page", async () => {
    const res = await fetchAsset("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Content-Security-Policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(await res.json()).toEqual(committed);
  });
});

describe("/docs", () => {
  it("redirects to /docs/, the page", async () => {
    const res = await env.ASSETS.fetch("http://localhost/docs", { redirect: "manual" });
    expect(res.status).toBe(307);
    expect(res.headers.get("Location")).toBe("/docs/");
  });

  it("is an HTML page whose scripts, styles and requests may come from this origin only", async () => {
    const res = await fetchAsset("/docs/");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const policy = Object.fromEntries(
      (res.headers.get("Content-Security-Policy") ?? "")
        .split(";")
        .map((d) => d.trim().split(/\s+(.*)/, 2)),
    );
    expect(policy).toMatchObject({
      "default-src": "'none'",
      "script-src": "'self'",
      "style-src": "'self'",
      "connect-src": "'self'",
      "frame-ancestors": "'none'",
    });
    expect(JSON.stringify(policy)).not.toMatch(/https?:|\*|unsafe/);
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    const html = await res.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(sources).toEqual([
      "data:,",
      "vendor/swagger-ui.css",
      "vendor/swagger-ui-bundle.js",
      "init.js",
    ]);
  });
});
