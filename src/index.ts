import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { courseRoutes } from "./courses/routes";
import { enrollmentRoutes } from "./enrollments/routes";
import type { AppEnv } from "./env";
import { requireToken } from "./http/auth";
import { notFound, onError } from "./http/errors";
import { Problem } from "./http/problem";
import { requestId } from "./http/request-id";
import { requestLog } from "./http/request-log";
import { studentRoutes } from "./students/routes";

const MAX_BODY_BYTES = 16 * 1024;

// The order of the middleware is the story of a request.
const app = new Hono<AppEnv>()
  .use(requestId)
  .use(requestLog)
  .use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new Problem("payload_too_large", `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  )
  // Registered before the token check, so a health probe needs no token.
  .get("/health", (c) => c.json({ status: "ok" }))
  .use(requireToken)
  .route("/students", studentRoutes)
  .route("/courses", courseRoutes)
  .route("/", enrollmentRoutes);

app.onError(onError);
app.notFound(notFound(app));

export default app;
