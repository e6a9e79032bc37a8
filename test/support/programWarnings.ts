/**
 * Runs `run` and returns what it resolved to with the warnings Pulumi wrote meanwhile: without an
 * engine, as under mocks and in `npm start`, Pulumi writes them to stderr as `warning: ...` lines (some
 * with a `[runtime]` tag); the messages are returned without either.
 */
export async function withWarnings<T>(run: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const stderr: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = await run();
    const warnings = stderr
      .join("")
      .split("\n")
      .filter((line) => line.startsWith("warning: "))
      .map((line) => line.replace(/^warning: (\[runtime\] )?/, ""));
    return { result, warnings };
  } finally {
    process.stderr.write = write;
  }
}
