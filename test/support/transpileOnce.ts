/**
 * Transpiles each TypeScript file of the specs' process once. Every program run under mocks evaluates
 * index.ts and the modules it loads afresh (local/programUnderMocks.ts), and ts-node would transpile
 * them all again each time: most of a run's time. The same source gives the same JavaScript, so a file
 * whose text is unchanged gets its first output back; a changed one is transpiled again.
 */
interface TsNodeService {
  compile(code: string, fileName: string, lineOffset?: number): string;
}

const service = (process as unknown as Record<symbol, TsNodeService | undefined>)[
  Symbol.for("ts-node.register.instance")
];
if (!service) throw new Error("test/support/transpileOnce.ts is loaded after ts-node's register");

const transpile = service.compile.bind(service);
const outputs = new Map<string, { code: string; output: string }>();

service.compile = (code, fileName, lineOffset) => {
  const known = outputs.get(fileName);
  if (known?.code === code && !lineOffset) return known.output;
  const output = transpile(code, fileName, lineOffset);
  if (!lineOffset) outputs.set(fileName, { code, output });
  return output;
};
