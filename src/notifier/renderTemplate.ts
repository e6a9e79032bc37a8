import type { BodyFormat } from "./requestHeaders";

/** The body sent to a receiver that declares no template. */
export const DEFAULT_TEMPLATE = '{"text": "Build of *$PROJECT* reached status *$STATUS*"}';

/**
 * `$$`, `$NAME` or `${NAME}`, the placeholder syntax of Python's `string.Template`, which the templates
 * registered for the original AWS sample were written in. Any other `$` is left as written.
 */
const PLACEHOLDER = /\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g;

/**
 * A JSON string literal (an unterminated one runs to the end of the template), or a run of text outside
 * string literals. Placeholders contain neither `"` nor `\`, so none straddles two of these pieces.
 */
const JSON_PIECE = /"[^"\\]*(?:\\[\s\S][^"\\]*)*"?|[^"]+/g;

export interface RenderedTemplate {
  body: string;
  /** Names the template refers to that have no value, each once, in order of appearance. */
  unknownNames: string[];
}

/**
 * Substitutes `values` into `template`. In a JSON body a value that lands inside a JSON string literal is
 * escaped for it, so a template that is valid JSON yields valid JSON whatever the build put in its
 * variables; in a form body every value is percent-encoded, so it can add no field (`&`) nor end one
 * (`=`); in a URL path every value is percent-encoded too, so it stays one segment and adds no query;
 * in a text body values go in as they are. Placeholders naming no value stay as written.
 */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  format: BodyFormat | "path",
): RenderedTemplate {
  // Defined here rather than beside the function: the serialized notifier calls a function defined at
  // the top of a module through a wrapper that rebuilds its scope on every call, once per placeholder.
  const asIs = (value: string): string => value;
  /** JSON.stringify escapes quotes, backslashes, control characters and lone surrogates. */
  const escapeForJsonString = (value: string): string => JSON.stringify(value).slice(1, -1);
  const unknownNames: string[] = [];
  const substitute = (text: string, encode: (value: string) => string): string =>
    text.replace(
      PLACEHOLDER,
      (placeholder: string, dollar?: string, name?: string, bracedName?: string): string => {
        if (dollar !== undefined) return "$";
        const key = (name ?? bracedName) as string;
        if (Object.hasOwn(values, key)) return encode(values[key]);
        if (!unknownNames.includes(key)) unknownNames.push(key);
        return placeholder;
      },
    );
  const body =
    format === "json"
      ? template.replace(JSON_PIECE, (piece) =>
          piece.startsWith('"') ? substitute(piece, escapeForJsonString) : substitute(piece, asIs),
        )
      : substitute(template, format === "text" ? asIs : encodeURIComponent);
  return { body, unknownNames };
}
