// `npm run receiver-schema`: writes receivers/receiver.schema.json, the JSON Schema editors use to check
// and complete receiver files, from the schema the deploy validates them with. Run it after changing
// src/receivers/receiverSchema.ts; a test fails while the committed file differs from what this writes.
import * as fs from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { z } from "zod";
import { receiverFileSchema } from "../src/receivers/receiverSchema";

export const RECEIVER_SCHEMA_FILE = path.resolve(__dirname, "..", "receivers", "receiver.schema.json");

/** The file's text, formatted as the project's Prettier settings format it, so the lint passes on it. */
export async function receiverSchemaText(): Promise<string> {
  // Draft-07: the newest draft the YAML language server (Red Hat's YAML extension) supports. The input
  // side is what users write: `method` and `onlyOnChange` are optional there.
  const schema = z.toJSONSchema(receiverFileSchema, { target: "draft-07", io: "input" });
  const options = await prettier.resolveConfig(RECEIVER_SCHEMA_FILE);
  return prettier.format(JSON.stringify(schema), { ...options, filepath: RECEIVER_SCHEMA_FILE });
}

if (require.main === module) {
  receiverSchemaText().then(
    (text) => {
      fs.writeFileSync(RECEIVER_SCHEMA_FILE, text);
      process.stdout.write(`Wrote ${path.relative(process.cwd(), RECEIVER_SCHEMA_FILE)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
