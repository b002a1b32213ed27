import { Hono } from "hono";
import type { AppEnv } from "../env";
import { importNotFound } from "../http/problems";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage, idPageQuery } from "../lib/pagination";
import { annotateRequestLog, logInfo } from "../log";
import { columnIndex } from "./columns";
import { cancelImport, findImport, insertImport, listImports } from "./queries";
import { importQuery } from "./schemas";
import { receiveCsv, storeUpload } from "./upload";

export const importRoutes = new Hono<AppEnv>()
  .post("/", validate("query", importQuery), async (c) => {
    const request = c.req.valid("query");
    const upload = await receiveCsv(c.req.raw);
    columnIndex(request.type, upload.header);
    // One random name for the file and its Workflow instance: a recreated database reuses
    // import ids, and an instance id can never be used twice.
    const name = crypto.randomUUID();
    const objectKey = `imports/${name}.csv`;
    await storeUpload(c.env.IMPORT_FILES, objectKey, upload);
    const created = await insertImport(c.var.db, request, { objectKey, size: upload.size });
    await c.env.IMPORTS.create({ id: `import-${name}`, params: { importId: created.id } });
    annotateRequestLog(c, { import_id: created.id });
    logInfo("import.queued", { import_id: created.id, type: created.type });
    return c.json(created, 202, { Location: `/imports/${created.id}` });
  })
  .get("/", validate("query", idPageQuery), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await fetchPage(
      limit,
      (count) => listImports(c.var.db, count, cursor),
      (i) => [i.id],
    );
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await findImport(c.var.db, id);
    if (!found) throw importNotFound(id);
    return c.json(found, 200);
  })
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const cancelled = await cancelImport(c.var.db, id);
    if (!cancelled) throw importNotFound(id);
    annotateRequestLog(c, { import_id: id });
    return c.json(cancelled, 200);
  });
