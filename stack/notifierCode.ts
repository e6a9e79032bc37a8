import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildScopesOnce } from "./functionScopes";

/** The module and export Lambda calls: `__index.handler`, as aws.lambda.CallbackFunction names them. */
export const NOTIFIER_HANDLER = "__index.handler";

/**
 * Packages the code never loads: the AWS SDK comes with the Lambda runtime, and got depends on these for
 * its type declarations only.
 */
const EXCLUDED_PACKAGES = ["aws-sdk", "type-fest", "@types/http-cache-semantics"];

/**
 * Files in the packages that nothing loads at run time: type declarations, source maps and package docs,
 * and the ES module build of packages the handler requires as CommonJS (Powertools ships both).
 */
const NEVER_LOADED = [
  /\.d\.[cm]?ts$/,
  /\.map$/,
  /(^|\/)(readme|changelog|history)(\.(md|markdown|txt))?$/i,
  /\.md$/i,
  /^node_modules\/@aws-lambda-powertools\/[^/]+\/lib\/esm\//,
];

/**
 * The notifier's code archive: the callback factory serialized by Pulumi exactly as
 * aws.lambda.CallbackFunction serializes it (a factory, run once per container, whose result is the
 * handler, each function's scope built once per container: see functionScopes.ts), with the packages it
 * requires, less the files of them that never run. CallbackFunction
 * uploads whole package folders; half of that is type declarations, maps and docs. Refuses to serialize
 * a callback that captures a secret: the archive is not encrypted.
 */
export function notifierCode(callbackFactory: () => unknown): pulumi.asset.AssetArchive {
  const assets = (async (): Promise<Record<string, pulumi.asset.Asset | pulumi.asset.Archive>> => {
    const serialized = await pulumi.runtime.serializeFunction(callbackFactory, {
      serialize: () => true,
      exportName: NOTIFIER_HANDLER.split(".")[1],
      isFactoryFunction: true,
      allowSecrets: false,
    });
    const files: Record<string, pulumi.asset.Asset | pulumi.asset.Archive> = {
      [`${NOTIFIER_HANDLER.split(".")[0]}.js`]: new pulumi.asset.StringAsset(
        buildScopesOnce(serialized.text),
      ),
    };
    const packages = await pulumi.runtime.computeCodePaths({ extraExcludePackages: EXCLUDED_PACKAGES });
    for (const [packagePath, packageAsset] of packages) {
      if (!(packageAsset instanceof pulumi.asset.FileArchive)) {
        files[packagePath] = packageAsset;
        continue;
      }
      for (const entry of fs.readdirSync(packagePath, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const file = path.join(entry.parentPath, entry.name).split(path.sep).join("/");
        if (!NEVER_LOADED.some((pattern) => pattern.test(file)))
          files[file] = new pulumi.asset.FileAsset(file);
      }
    }
    return files;
  })();
  return new pulumi.asset.AssetArchive(assets);
}
