// `npm run package`: writes dist/lambda.zip, the code archive the stack deploys (handler __index.handler).
import * as fs from "node:fs";
import * as path from "node:path";
import { archivePackages, zipFolder } from "../local/codeArchive";
import { buildNotifierArchive } from "../local/notifierArchive";
import { PROJECT_ROOT } from "../local/stackConfig";

async function main(): Promise<void> {
  const dir = path.join(PROJECT_ROOT, "dist", "lambda");
  const zipFile = path.join(PROJECT_ROOT, "dist", "lambda.zip");
  await buildNotifierArchive(dir);
  zipFolder(dir, zipFile);
  const packages = archivePackages(dir);
  console.log(
    `${path.relative(PROJECT_ROOT, zipFile)}: ${fs.statSync(zipFile).size} bytes, ${packages.length} packages`,
  );
  console.log(packages.join("\n"));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
