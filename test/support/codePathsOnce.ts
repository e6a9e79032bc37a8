// The packages the notifier's code archive needs, worked out once per spec process. Every run of the
// program under mocks builds the archive (stack/notifierCode.ts), for which Pulumi walks the whole of
// node_modules for the packages the code needs. The answer depends only on the project's package.json and
// node_modules, which no spec changes, and the options, so it is kept for the process and given back; each
// run still gets assets of its own. The archive is the same, byte for byte. Loaded by .mocharc.json; the
// commands the specs run (`npm start`, ...) work it out themselves. (Each function's parse is kept for the
// whole run by parseOnce.js.)
import * as pulumi from "@pulumi/pulumi";
import type { CodePathOptions } from "@pulumi/pulumi/runtime/closure/codePaths";

type CodePaths = Awaited<ReturnType<typeof pulumi.runtime.computeCodePaths>>;

/** Each folder or file found, and whether it is a folder, by the working folder and options asked with. */
const found = new Map<string, Promise<[string, boolean][]>>();

const computeCodePaths = pulumi.runtime.computeCodePaths;

async function codePathsOnce(options: CodePathOptions = {}): Promise<CodePaths> {
  const key = JSON.stringify([process.cwd(), { ...options, logResource: undefined }]);
  let paths = found.get(key);
  if (paths === undefined) {
    paths = computeCodePaths(options).then((codePaths) =>
      [...codePaths].map(([codePath, asset]) => [codePath, asset instanceof pulumi.asset.FileArchive]),
    );
    found.set(key, paths);
    // A failure is the run's alone: the next asks again.
    paths.catch(() => found.delete(key));
  }
  return new Map(
    (await paths).map(([codePath, isFolder]) => [
      codePath,
      isFolder ? new pulumi.asset.FileArchive(codePath) : new pulumi.asset.FileAsset(codePath),
    ]),
  );
}

// The deprecated form, whose first argument is a list of paths, is not used by the program.
Object.assign(pulumi.runtime, { computeCodePaths: codePathsOnce });
