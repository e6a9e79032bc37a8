import { ParseErrorCode, visit } from "jsonc-parser";
import { looksLikeSecret, shownPlaceholder } from "./secretLikeText";

/**
 * Where a text stops being JSON, and why, for receiver file errors: with its line and column, in words
 * that fit a template (an unquoted `$PLACEHOLDER` is the most common mistake), never quoting more than
 * the character at fault, or a placeholder whose name does not look like a pasted secret. `JSON.parse`
 * decides the same texts, but its messages omit the position for an unexpected character, quote the
 * text back, and change wording between Node versions.
 */
export interface JsonSyntaxError {
  /** 1-based line and column within the text. */
  line: number;
  column: number;
  problem: string;
}

/** `$NAME` or `${NAME}`, the name captured. */
const PLACEHOLDER = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/;

/** jsonc-parser's strict mode: JSON as `JSON.parse` reads it, no comments nor trailing commas. */
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** An error jsonc-parser reports, with the bracket open where it happened. */
interface ParseError {
  error: ParseErrorCode;
  offset: number;
  length: number;
  within?: "[" | "{";
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const errors: ParseError[] = [];
  const open: ("[" | "{")[] = [];
  visit(
    text,
    {
      onObjectBegin: () => void open.push("{"),
      onArrayBegin: () => void open.push("["),
      onObjectEnd: () => void open.pop(),
      onArrayEnd: () => void open.pop(),
      onError: (error, offset, length) => void errors.push({ error, offset, length, within: open.at(-1) }),
    },
    STRICT,
  );
  if (errors.length === 0) return undefined;
  const { offset, problem } = describe(text, errors[0], errors[1]);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1, problem };
}

/** The first error in words, at the character it concerns (jsonc-parser marks a whole string token). */
function describe(text: string, error: ParseError, next?: ParseError): { offset: number; problem: string } {
  const at = error.offset;
  const found = (offset: number): string =>
    offset < text.length ? JSON.stringify(text[offset]) : "the end of the text";
  const inString = (isAtFault: (char: string, index: number) => boolean): number => {
    for (let index = 0; index < error.length; index++)
      if (isAtFault(text[at + index], index)) return at + index;
    return at;
  };
  switch (error.error) {
    case ParseErrorCode.InvalidSymbol: {
      const [placeholder, braced, bare] = PLACEHOLDER.exec(text.slice(at)) ?? [];
      if (placeholder) {
        // A token pasted after the `$` is repeated nowhere, as in every other message of the loader.
        const name = braced ?? bare;
        const problem = looksLikeSecret(name)
          ? `expected a value, found ${shownPlaceholder(name)}; placeholders go inside JSON strings, in double quotes`
          : `expected a value, found ${placeholder}; placeholders go inside JSON strings: "${placeholder}"`;
        return { offset: at, problem };
      }
      if (next?.error === ParseErrorCode.PropertyNameExpected) {
        return { offset: at, problem: `expected a property name in double quotes, found ${found(at)}` };
      }
      if (next === undefined || next.error === ParseErrorCode.EndOfFileExpected) {
        // A symbol after the value, or where the value should have been in a text with nothing else.
        return isValueStart(text, at)
          ? { offset: at, problem: `expected a value, found ${found(at)}` }
          : { offset: at, problem: `unexpected ${found(at)} after the JSON value` };
      }
      return { offset: at, problem: `expected a value, found ${found(at)}` };
    }
    case ParseErrorCode.ValueExpected:
      return { offset: at, problem: `expected a value, found ${found(at)}` };
    case ParseErrorCode.PropertyNameExpected:
      return { offset: at, problem: `expected a property name in double quotes, found ${found(at)}` };
    case ParseErrorCode.ColonExpected:
      return { offset: at, problem: `expected ":" after the property name, found ${found(at)}` };
    case ParseErrorCode.CommaExpected:
    case ParseErrorCode.CloseBracketExpected:
    case ParseErrorCode.CloseBraceExpected: {
      const closing = error.within === "[" ? "]" : "}";
      return { offset: at, problem: `expected "," or "${closing}", found ${found(at)}` };
    }
    case ParseErrorCode.EndOfFileExpected:
      return { offset: at, problem: `unexpected ${found(at)} after the JSON value` };
    case ParseErrorCode.UnexpectedEndOfString:
      return { offset: at, problem: "string not closed before the end of the text" };
    case ParseErrorCode.InvalidCharacter:
      return {
        // JSON strings may hold any character but U+0000 to U+001F as it is.
        offset: inString((char) => char < " "),
        problem: "control character in a string; write it as an escape such as \\n or \\t",
      };
    case ParseErrorCode.InvalidEscapeCharacter:
    case ParseErrorCode.InvalidUnicode: {
      const offset = inString((_, index) =>
        /^\\(?:u(?![0-9A-Fa-f]{4})|[^"\\/bfnrtu])/.test(text.slice(at + index)),
      );
      return {
        offset,
        problem: `invalid escape ${JSON.stringify(text.slice(offset, offset + 2))} in a string`,
      };
    }
    case ParseErrorCode.UnexpectedEndOfNumber:
    case ParseErrorCode.InvalidNumberFormat: {
      const offset = at + error.length;
      const part = /[eE][+-]?$/.test(text.slice(at, offset)) ? "in the exponent" : "after the decimal point";
      return { offset, problem: `expected a digit ${part}, found ${found(offset)}` };
    }
    default:
      return { offset: at, problem: `expected a value, found ${found(at)}` };
  }
}

/** Whether nothing but whitespace comes before `offset`: the text's value would start there. */
function isValueStart(text: string, offset: number): boolean {
  return text.slice(0, offset).trim() === "";
}
