// The Worker's build step ([build] in wrangler.toml, so `wrangler dev`, `wrangler deploy` and
// `npm run size` run it): copies the Swagger UI files that /docs needs from node_modules into
// public/docs/vendor/, where Static Assets serve them from this origin (no CDN). The copies
// are not committed; they follow the installed swagger-ui-dist. Its licence and notice go
// along, as Apache-2.0 asks; source map references are dropped, since the maps are not.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SERVED = ["swagger-ui-bundle.js", "swagger-ui.css"];
const NOTICES = ["LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"];
const SOURCE_MAP_REFERENCE =
  /\n?(?:\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=[^*]+\*\/)\s*$/;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "node_modules", "swagger-ui-dist");
const to = join(root, "public", "docs", "vendor");
mkdirSync(to, { recursive: true });
for (const file of SERVED)
  writeFileSync(
    join(to, file),
    readFileSync(join(from, file), "utf8").replace(SOURCE_MAP_REFERENCE, "\n"),
  );
for (const file of NOTICES) copyFileSync(join(from, file), join(to, file));
