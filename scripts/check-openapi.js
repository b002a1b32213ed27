// `npm run test:openapi`: validates the committed OpenAPI document with a real OpenAPI 3.1
// validator (the document's own JSON Schema, and every $ref resolved). Runs on Node: the
// validator compiles schemas to code, which the Workers runtime forbids.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";

const document = JSON.parse(readFileSync("public/openapi.json", "utf8"));
const validator = new Validator();
const result = await validator.validate(document);
let failures = result.valid
  ? []
  : [
      `not a valid OpenAPI ${validator.version} document:\n${JSON.stringify(result.errors, null, 2)}`,
    ];
if (result.valid) {
  try {
    validator.resolveRefs();
  } catch (error) {
    failures = [
      `a $ref does not resolve: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
}
for (const failure of failures) console.error(failure);
console.log(
  `openapi: ${failures.length === 0 ? 1 : 0} passed, ${failures.length} failed (OpenAPI ${validator.version ?? "?"})`,
);
process.exit(failures.length === 0 ? 0 : 1);
