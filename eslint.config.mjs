import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Node's globals for the build, test, bench and e2e scripts (no `globals` package needed for these few). */
const nodeGlobals = Object.fromEntries(
  ["process", "console", "Buffer", "URL", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "__dirname", "__filename", "require", "module", "fetch", "AbortController", "TextDecoder", "TextEncoder", "performance", "structuredClone", "queueMicrotask"].map((g) => [g, "readonly"]),
);
/** Browser globals for the page-side code the e2e scripts evaluate in Chromium. */
const browserGlobals = Object.fromEntries(["document", "window", "NodeFilter", "navigator", "getComputedStyle", "HTMLElement", "HTMLSelectElement", "HTMLInputElement", "KeyboardEvent", "MouseEvent"].map((g) => [g, "readonly"]));

/** Stands for the host ⇄ webview protocol modules (extension/protocol/), matched by a regex. */
const PROTOCOL = "<protocols>";

/** One room's import rule: the rooms (folders) it must not reach, with why. */
const forbid = (files, groups) => ({
  files,
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: [{ name: "vscode", message: "Only extension/host may import vscode." }],
        patterns: groups.map(([group, message]) => ({ group: group.filter((g) => g !== PROTOCOL), message })).concat(
          groups.filter(([group]) => group.includes(PROTOCOL)).map(([, message]) => ({ regex: "(^|/)protocol/(image|simulation|vmcore|doctor)$", message })),
        ),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", ".cache/**", "scripts/e2e/stub-ext/**", "test/e2e/host/out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  // Rooms (../shared/design/ARCHITECTURE.md): data flows bytes → formats → kexec rules → scenario → views.
  forbid(["extension/core/io/**/*.ts"], [[["**/knowledge/**", "**/formats/**", "**/kexec/**", "**/scenario/**", "**/source/**", "**/host/**", "**/cli/**", PROTOCOL], "core/io holds ByteSource and FormatError only: it imports nothing project-specific."]]),
  forbid(["extension/core/knowledge/**/*.ts"], [[["**/io/**", "**/formats/**", "**/kexec/**", "**/scenario/**", "**/source/**", "**/host/**", "**/cli/**", PROTOCOL], "The knowledge table imports nothing: everything else reads it."]]),
  forbid(["extension/core/formats/**/*.ts"], [[["**/kexec/**", "**/scenario/**", "**/source/**", "**/host/**", "**/cli/**", PROTOCOL], "Formats turn bytes into models; rules and verdicts (kexec/, scenario/) read them, not the other way."]]),
  forbid(["extension/core/kexec/**/*.ts"], [[["**/scenario/**", "**/source/**", "**/host/**", "**/cli/**", PROTOCOL], "kexec/ holds the rules; the scenario composes them, views render them."]]),
  forbid(["extension/core/source/**/*.ts"], [[["**/formats/**", "**/scenario/**", "**/host/**", "**/cli/**", PROTOCOL], "Source analysers read text and the knowledge table."]]),
  forbid(["extension/core/scenario/**/*.ts"], [[["**/host/**", "**/cli/**", PROTOCOL], "The scenario answers questions; front ends (host, cli, webview) render its answers."]]),
  forbid(["extension/cli/**/*.ts"], [[["**/host/**", "**/views/**", PROTOCOL], "The CLI is a front end over the core, beside the extension host."]]),
  forbid(["extension/protocol/**/*.ts"], [[["**/host/**", "**/views/**", "**/cli/**"], "Protocols are message types; they may only import core types."]]),
  // Sessions, view models and the simulation model: everything of the extension that needs no editor API.
  forbid(["extension/views/**/*.ts"], [[["**/host/**", "**/cli/**"], "views/ is the vscode-free half of the extension: host/ adapts it to VS Code, not the other way."]]),
  forbid(["webview/**/*.ts"], [[["**/core/**", "**/host/**", "**/views/**", "**/cli/**"], "Webviews render what the host sends: they import the protocols only."]]),
  {
    // Build, test, bench, fuzz and e2e drivers run in Node; some evaluate page code in Chromium.
    files: ["**/*.mjs", "**/*.cjs", "scripts/**/*.js"],
    languageOptions: { globals: { ...nodeGlobals, ...browserGlobals }, sourceType: "module" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs" } },
);
