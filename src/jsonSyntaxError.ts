/**
 * Where a text stops being JSON, and why. `JSON.parse` decides the same texts, but its messages omit the
 * position for the most common mistake (an unexpected character such as an unquoted `$PLACEHOLDER`),
 * quote the text back, and change wording between Node versions; receiver file errors need all three
 * the other way round.
 */
export interface JsonSyntaxError {
  /** 1-based line and column within the text. */
  line: number;
  column: number;
  problem: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const PLACEHOLDER = /^\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/;

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;

  const found = (): string => (at < text.length ? JSON.stringify(text[at]) : "the end of the text");
  const skipWhitespace = (): void => {
    while (WHITESPACE.has(text[at])) at++;
  };
  const digits = (): number => {
    const start = at;
    while (text[at] >= "0" && text[at] <= "9") at++;
    return at - start;
  };

  const string = (): void => {
    const opening = at++;
    for (;;) {
      if (at >= text.length) throw new Stop(opening, "string not closed before the end of the text");
      const char = text[at];
      if (char === '"') {
        at++;
        return;
      }
      if (char < " ") {
        throw new Stop(at, "control character in a string; write it as an escape such as \\n or \\t");
      }
      if (char === "\\") {
        const escape = text[at + 1];
        if (escape === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(at + 2, at + 6))) at += 6;
        else if (escape !== undefined && ESCAPES.has(escape)) at += 2;
        else throw new Stop(at, `invalid escape ${JSON.stringify(text.slice(at, at + 2))} in a string`);
      } else {
        at++;
      }
    }
  };

  const number = (): void => {
    const start = at;
    if (text[at] === "-") at++;
    if (text[at] === "0") at++;
    else if (digits() === 0)
      throw new Stop(start, `invalid number ${JSON.stringify(text.slice(start, at + 1))}`);
    if (text[at] === ".") {
      at++;
      if (digits() === 0) throw new Stop(at, `expected a digit after the decimal point, found ${found()}`);
    }
    if (text[at] === "e" || text[at] === "E") {
      at++;
      if (text[at] === "+" || text[at] === "-") at++;
      if (digits() === 0) throw new Stop(at, `expected a digit in the exponent, found ${found()}`);
    }
  };

  const value = (): void => {
    skipWhitespace();
    const char = text[at];
    if (char === "{") return object();
    if (char === "[") return array();
    if (char === '"') return string();
    if (char === "-" || (char >= "0" && char <= "9")) return number();
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, at)) {
        at += literal.length;
        return;
      }
    }
    const placeholder = PLACEHOLDER.exec(text.slice(at));
    if (placeholder) {
      throw new Stop(
        at,
        `expected a value, found ${placeholder[0]}; placeholders go inside JSON strings: "${placeholder[0]}"`,
      );
    }
    throw new Stop(at, `expected a value, found ${found()}`);
  };

  const array = (): void => {
    at++; // [
    skipWhitespace();
    if (text[at] === "]") {
      at++;
      return;
    }
    for (;;) {
      value();
      skipWhitespace();
      if (text[at] === "]") {
        at++;
        return;
      }
      if (text[at] !== ",") throw new Stop(at, `expected "," or "]", found ${found()}`);
      at++;
    }
  };

  const object = (): void => {
    at++; // {
    skipWhitespace();
    if (text[at] === "}") {
      at++;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (text[at] !== '"') throw new Stop(at, `expected a property name in double quotes, found ${found()}`);
      string();
      skipWhitespace();
      if (text[at] !== ":") throw new Stop(at, `expected ":" after the property name, found ${found()}`);
      at++;
      value();
      skipWhitespace();
      if (text[at] === "}") {
        at++;
        return;
      }
      if (text[at] !== ",") throw new Stop(at, `expected "," or "}", found ${found()}`);
      at++;
    }
  };

  try {
    value();
    skipWhitespace();
    if (at < text.length) throw new Stop(at, `unexpected ${found()} after the JSON value`);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.offset).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1, problem: error.problem };
  }
}
