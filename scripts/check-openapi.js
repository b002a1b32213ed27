// `npm run test:openapi`: validates the committed OpenAPI document with a real OpenAPI 3.1
// validator (the document's own JSON Schema, and every $ref resolved). Runs on Node: the
// validator compiles schemas to code, which the Workers runtime forbids.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { check, finish } from "./checks.js";

const document = JSON.parse(readFileSync("public/openapi.json", "utf8"));
const validator = new Validator();
const result = await validator.validate(document);
await check("public/openapi.json is a valid OpenAPI document whose $refs resolve", () => {
  if (!result.valid)
    return [
      `not a valid OpenAPI ${validator.version} document:\n${JSON.stringify(result.errors, null, 2)}`,
    ];
  try {
    validator.resolveRefs();
  } catch (error) {
    return [`a $ref does not resolve: ${error instanceof Error ? error.message : String(error)}`];
  }
  return [];
});
finish("openapi", `(OpenAPI ${validator.version ?? "?"})`);
