import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { lintInputs } from "./scripts/lint-inputs.ts";

const IGNORED = ["node_modules/", "coverage/", "cdk.out/", ".local/"];

// `npm run lint` keeps ESLint's cache, which lints a file again only when its own text or its config
// changed; the type-aware rules also read the files it imports. So each file's settings carry a digest
// of everything its types can see (scripts/lint-inputs.ts), and a change there lints it again.
const inputs = lintInputs(import.meta.dirname, IGNORED);
const SAFE_GLOB = /^[\w./-]+$/;

export default tseslint.config(
  { ignores: IGNORED },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", "bin/*.mjs"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "no-console": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    // Spread, not replaced: disableTypeChecked's parserOptions keep these files out of the type-checked program.
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: "readonly", console: "readonly" } },
  },
  {
    files: ["test/**"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
    },
  },
  // A file lintInputs did not see (or whose name is not a plain glob) carries the digest of every input.
  { settings: { "daybook/lint-inputs": inputs.all } },
  ...[...inputs.perFile].filter(([file]) => SAFE_GLOB.test(file)).map(([file, digest]) => ({ files: [file], settings: { "daybook/lint-inputs": digest } })),
);
