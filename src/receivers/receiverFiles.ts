import * as fs from "node:fs";
import * as path from "node:path";
import { ReceiverConfigError, receiverFinding, type ReceiverFinding } from "./receiverFinding";

const RECEIVER_FILE = /\.ya?ml$/i;
/** The name goes into `/webhooks/<name>/...` parameter paths and Pulumi resource names. */
const RECEIVER_NAME = /^[A-Za-z0-9_.-]+$/;

/** One receiver file of the folder, as the loader's later stages take it. */
export interface ReceiverSource {
  /** The receiver's name: the file name without extension. */
  name: string;
  /** The file as messages name it: relative to `relativeTo`, with "/" separators. */
  file: string;
  source: string;
  /** A problem with its name, when the name cannot name a receiver. */
  nameProblem?: ReceiverFinding;
}

/**
 * Every `*.yaml`/`*.yml` file in `dir`, by name. A folder without receiver files means no receivers; a
 * folder that does not exist is a problem, thrown at once: a mistyped folder must not read as "no
 * receivers", which would delete every deployed one.
 */
export function receiverFiles(dir: string, relativeTo: string): ReceiverSource[] {
  const forMessages = (target: string): string => path.relative(relativeTo, target).split(path.sep).join("/");
  if (!fs.existsSync(dir)) {
    throw new ReceiverConfigError([
      receiverFinding({
        files: [forMessages(dir)],
        message:
          "the receiver folder does not exist; create it (a folder without receiver files deploys no receivers)",
      }),
    ]);
  }
  return receiverFileNames(dir).map((fileName) => {
    const filePath = path.join(dir, fileName);
    const file = forMessages(filePath);
    const name = fileName.replace(RECEIVER_FILE, "");
    const source = fs.readFileSync(filePath, "utf8");
    if (RECEIVER_NAME.test(name)) return { name, file, source };
    const nameProblem = receiverFinding({
      files: [file],
      message:
        `"${name}" cannot name a receiver; rename the file using only letters, digits, "_", "-" and "." ` +
        "(the name goes into the /webhooks/<name>/ parameter paths and resource names)",
    });
    return { name, file, source, nameProblem };
  });
}

function receiverFileNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((entry) => RECEIVER_FILE.test(entry) && fs.statSync(path.join(dir, entry)).isFile())
    .sort();
}

/** Files that name one receiver (`hook.yaml` and `hook.yml`): one problem per name, naming them all. */
export function sameNameProblems(files: readonly ReceiverSource[]): ReceiverFinding[] {
  const filesByName = new Map<string, string[]>();
  for (const { name, file } of files) filesByName.set(name, [...(filesByName.get(name) ?? []), file]);
  return [...filesByName]
    .filter(([, named]) => named.length > 1)
    .map(([name, named]) =>
      receiverFinding({
        files: named,
        message: `these files all name the receiver "${name}"; keep one of them`,
      }),
    );
}
