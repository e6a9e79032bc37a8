/**
 * Pulumi's serializer writes each function the handler uses as a wrapper that, on every call, builds the
 * function's captured scope (a `with` object), creates the function anew and calls it:
 *
 *     function __name(__0) {
 *       return (function() {
 *         with({ helper: __helper, ... }) {
 *     return function (...) { ... };
 *         }
 *       }).apply(undefined, undefined).apply(this, arguments);
 *     }
 *
 * A delivery calls about fifteen such functions, so their scopes and closures were a good part of the
 * garbage a warm event leaves. Rewritten, each wrapper builds its scope and function on its first call
 * and keeps them for the container's life. The captured values are module-level constants, functions and
 * imports, the same on every call (the notifier keeps no module-level `let`), so the function behaves the
 * same.
 */
const WRAPPER_START = /^function (__[A-Za-z0-9_]+)\(([^)]*)\) \{\n {2}return \(function\(\) \{\n {4}with\(/gm;
const WRAPPER_END = /^ {2}\}\)\.apply\(([^,\n]*), ([^)\n]*)\)\.apply\(this, arguments\);\n\}$/gm;

/** The serialized text with every function's scope built once per container instead of once per call. */
export function buildScopesOnce(serializedText: string): string {
  const starts = serializedText.match(WRAPPER_START)?.length ?? 0;
  const ends = serializedText.match(WRAPPER_END)?.length ?? 0;
  // A factory always yields at least one wrapper (the factory's own).
  if (starts === 0 || starts !== ends) {
    throw new Error(
      `The serialized handler has ${starts} function wrappers but ${ends} wrapper ends: ` +
        "@pulumi/pulumi's serializer writes them differently from the version this project pins",
    );
  }
  return serializedText
    .replace(
      WRAPPER_START,
      (_, name: string, parameters: string) =>
        `var ${name}__scoped;\nfunction ${name}(${parameters}) {\n  return (${name}__scoped ??= (function() {\n    with(`,
    )
    .replace(
      WRAPPER_END,
      (_, self: string, args: string) => `  }).apply(${self}, ${args})).apply(this, arguments);\n}`,
    );
}
