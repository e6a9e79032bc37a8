import * as pulumi from "@pulumi/pulumi";
import AdmZip from "adm-zip";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Writes the code archive of a Lambda function (its `code` input, as the program built it) to a
 * folder, file for file as `pulumi up` would upload it, so the serialized handler can run locally.
 */
export async function writeCodeArchive(archive: pulumi.asset.AssetArchive, dir: string): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const assets = await archive.assets;
  for (const [name, asset] of Object.entries(assets)) {
    const target = path.join(dir, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (asset instanceof pulumi.asset.StringAsset) {
      fs.writeFileSync(target, await asset.text);
    } else if (asset instanceof pulumi.asset.FileAsset || asset instanceof pulumi.asset.FileArchive) {
      fs.cpSync(await asset.path, target, { recursive: true, dereference: true });
    } else {
      throw new Error(`Unexpected entry ${name} in the code archive`);
    }
  }
}

/** Zips a folder written by `writeCodeArchive`, with stable entry order. */
export function zipFolder(dir: string, zipFile: string): void {
  const zip = new AdmZip();
  zip.addLocalFolder(dir);
  fs.mkdirSync(path.dirname(zipFile), { recursive: true });
  zip.writeZip(zipFile);
}

/** The packages in an unpacked archive's node_modules, scoped ones as `@scope/name`, sorted. */
export function archivePackages(dir: string): string[] {
  const modules = path.join(dir, "node_modules");
  if (!fs.existsSync(modules)) return [];
  return fs
    .readdirSync(modules)
    .filter((name) => !name.startsWith("."))
    .flatMap((name) =>
      name.startsWith("@")
        ? fs.readdirSync(path.join(modules, name)).map((scoped) => `${name}/${scoped}`)
        : [name],
    )
    .sort();
}
