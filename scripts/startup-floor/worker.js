// The floor `npm run size` measures the Worker's startup against: a bare Hono app with one
// route, built and started the same way (see scripts/size.js).
import { Hono } from "hono";

export default new Hono().get("/", (c) => c.text("ok"));
