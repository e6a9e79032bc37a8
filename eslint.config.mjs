import { includeIgnoreFile } from "@eslint/compat";
import js from "@eslint/js";
import * as path from "node:path";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // The product's files only, the ones .prettierignore lists: everything else in a fork (its CI's
  // folders, scripts and tool settings of its own, receivers/ but the presets) is its owner's
  // (docs/development.md).
  includeIgnoreFile(path.join(import.meta.dirname, ".prettierignore"), "the product's files"),
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", require: "readonly" } },
  },
  {
    // Files a newcomer reads whole, and functions that fit on a screen or two: every line counts, the
    // comments that say why included (they are welcome; a file that needs many is split by concern).
    files: ["index.ts", "src/**/*.ts", "stack/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 400, skipBlankLines: false, skipComments: false }],
      "max-lines-per-function": ["error", { max: 100, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // The commands: blank lines and comments do not count.
    files: ["scripts/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 400, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 100, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
