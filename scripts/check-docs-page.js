// `npm run test:browser`: opens /docs in headless Chromium (Debian's package, driven by
// playwright-core) on a fresh local Worker, as a developer would, and checks that the page lists
// every operation of public/openapi.json, that "Try it out" runs GET /students with a pasted
// token and gets a 200, and that the page loads nothing from another host and logs no error
// (a Content-Security-Policy violation is one). `npm run test:browser -- --screenshot` also
// refreshes docs/docs-page.png, the README's picture of the page.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { check, finish } from "./checks.js";
import { localVars, startLocalWorker } from "./local-worker.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Without the networking flags Chromium calls Google's hosts at start, which this must not do.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** @type {{ paths: Record<string, Record<string, { operationId: string; tags: string[] }>> }} */
const document = JSON.parse(readFileSync("public/openapi.json", "utf8"));
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ method, path, ...op })),
);

/** @param {boolean} condition @param {string} message */
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const worker = await startLocalWorker();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  /** @type {string[]} */
  const foreign = [];
  /** @type {string[]} */
  const errors = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && url.origin !== worker.origin) foreign.push(request.url());
  });
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));

  await check("GET /docs redirects to the page, which renders the document", async () => {
    const response = await page.goto(`${worker.origin}/docs`);
    assert(
      response?.status() === 200 && page.url() === `${worker.origin}/docs/`,
      `got ${response?.status()} at ${page.url()}`,
    );
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
  });

  for (const op of operations) {
    await check(`lists ${op.method.toUpperCase()} ${op.path}`, async () => {
      // Swagger UI gives each operation the id operations-<tag>-<operationId>.
      const block = page.locator(`[id="operations-${op.tags[0]}-${op.operationId}"]`);
      await block.waitFor({ timeout: 5_000 });
      // textContent, not innerText: Swagger UI writes the method in capitals itself (no CSS
      // text-transform), so both read the same, and textContent does not need a layout.
      const method = await block.locator(".opblock-summary-method").textContent();
      const path = await block.locator(".opblock-summary-path").getAttribute("data-path");
      assert(method === op.method.toUpperCase() && path === op.path, `shows ${method} ${path}`);
    });
  }

  if (process.argv.includes("--screenshot")) await page.screenshot({ path: "docs/docs-page.png" });

  await check("Try it out: GET /students with the pasted token answers 200", async () => {
    const token = localVars().API_READ_TOKEN ?? "";
    await page.locator(".auth-wrapper .authorize").click();
    await page.locator(".modal-ux input").fill(token);
    await page.locator(".modal-ux .auth-btn-wrapper .authorize").click();
    await page.locator(".modal-ux .btn-done").click();

    const block = page.locator('[id="operations-Students-getStudents"]');
    await block.locator(".opblock-summary-control").click();
    await block.locator(".try-out__btn").click();
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === "/students"),
      block.locator(".execute").click(),
    ]);
    const sent = await response.request().headerValue("authorization");
    assert(sent === `Bearer ${token}`, `sent Authorization: ${sent}`);
    assert(response.status() === 200, `the Worker answered ${response.status()}`);
    const shown = await block
      .locator(".live-responses-table tr.response .response-col_status")
      .textContent();
    assert(shown?.trim() === "200", `the page shows ${shown}`);
  });

  await check("loads nothing from another host", async () =>
    assert(foreign.length === 0, foreign.join(", ")),
  );
  await check("logs no error, and so breaks no Content-Security-Policy", async () =>
    assert(errors.length === 0, errors.join(" | ")),
  );
} finally {
  await browser.close();
  worker.stop();
}
finish("browser");
