import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { archivePackages, zipFolder } from "../local/codeArchive";
import { buildNotifierArchive } from "../local/notifierArchive";

/** A code archive as Lambda receives it. */
export interface ArchiveFacts {
  zippedBytes: number;
  unpackedBytes: number;
  /** Packages under node_modules (scoped ones as `@scope/name`). */
  packages: string[];
  /** Unpacked bytes by kind of file: type declarations, source maps and documentation are never read. */
  bytesByKind: Record<FileKind, number>;
}

type FileKind = "javascript" | "typeDeclarations" | "sourceMaps" | "documentation" | "other";

function kindOf(file: string): FileKind {
  const name = path.basename(file);
  if (/\.d\.[cm]?ts$/.test(name)) return "typeDeclarations";
  if (/\.[cm]?js$/.test(name)) return "javascript";
  if (name.endsWith(".map")) return "sourceMaps";
  if (/\.md$|^(license|licence|changelog|readme)/i.test(name)) return "documentation";
  return "other";
}

/** A Lambda function the bench runs: its unpacked archive, handler and settings. */
export interface FunctionUnderTest {
  label: string;
  codeDir: string;
  handler: string;
  memoryMb: number;
  timeoutMs: number;
  /** Lambda's runtime identifier, such as `nodejs22.x`. */
  runtime: string;
  /** The Node.js binary its containers run on (bench/runtimeNode.ts); this process's when absent. */
  node?: string;
  /** The function's own environment variables; the stand adds its table and endpoints. */
  environment: Record<string, string>;
  archive: ArchiveFacts;
}

const NOTIFIER_LABEL = "notifier: the archive `npm run package` writes, built afresh";
const BASELINE_LABEL = "baseline: AWS sample algorithm (sequential, uncached)";

/** Lambda's longest timeout: the baseline runs to its end, whatever the sample's own timeout would cut. */
const BASELINE_TIMEOUT_MS = 15 * 60_000;

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function archiveFacts(codeDir: string): ArchiveFacts {
  const zipFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-zip-")), "code.zip");
  zipFolder(codeDir, zipFile);
  const zippedBytes = fs.statSync(zipFile).size;
  fs.rmSync(path.dirname(zipFile), { recursive: true, force: true });
  const bytesByKind: Record<FileKind, number> = {
    javascript: 0,
    typeDeclarations: 0,
    sourceMaps: 0,
    documentation: 0,
    other: 0,
  };
  let unpackedBytes = 0;
  for (const file of filesUnder(codeDir)) {
    const size = fs.statSync(file).size;
    unpackedBytes += size;
    bytesByKind[kindOf(file)] += size;
  }
  return { zippedBytes, unpackedBytes, packages: archivePackages(codeDir), bytesByKind };
}

/**
 * The notifier as `pulumi up` would deploy it now: its archive, memory and timeout, built as `npm run
 * package` builds them. With `archive`, the code is that unpacked archive instead (an earlier release's,
 * to compare), at today's memory and timeout.
 */
export async function buildNotifier(codeDir: string, archive?: string): Promise<FunctionUnderTest> {
  const settings = await buildNotifierArchive(codeDir);
  const code = archive ? path.resolve(archive) : codeDir;
  return {
    label: archive ? `notifier: the archive in ${archive}` : NOTIFIER_LABEL,
    codeDir: code,
    handler: "__index.handler",
    ...settings,
    archive: archiveFacts(code),
  };
}

/**
 * The baseline, transpiled from sampleBaseline.ts into an archive of one file, at the notifier's memory
 * and runtime.
 */
export function buildBaseline(
  codeDir: string,
  { memoryMb, runtime }: Pick<FunctionUnderTest, "memoryMb" | "runtime">,
): FunctionUnderTest {
  const source = fs.readFileSync(path.join(__dirname, "sampleBaseline.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  fs.rmSync(codeDir, { recursive: true, force: true });
  fs.mkdirSync(codeDir, { recursive: true });
  fs.writeFileSync(path.join(codeDir, "index.js"), outputText);
  return {
    label: BASELINE_LABEL,
    codeDir,
    handler: "index.handler",
    memoryMb,
    runtime,
    timeoutMs: BASELINE_TIMEOUT_MS,
    environment: {},
    archive: archiveFacts(codeDir),
  };
}
