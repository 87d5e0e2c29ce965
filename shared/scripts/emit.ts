// Writes shared/schema/genrec.schema.json from the registry. Run via `npm run gen`.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderJsonSchema, SCHEMA_FILE, wire } from "../src/index.ts";

const out = fileURLToPath(new URL(`../schema/${SCHEMA_FILE}`, import.meta.url));
writeFileSync(out, renderJsonSchema(wire));
console.log(`wrote ${out}`);
