// One build script for every bundle: the extension host (node, cjs, vscode external; an activation
// shim, dist/extension.js, and the main bundle it loads on first use, dist/hostMain.js), the CLI,
// and one browser bundle per webview. Flags: --watch, --production (minify, no sourcemaps).
import * as esbuild from "esbuild";
import * as fs from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
  legalComments: "none",
};

/** Reports errors the way VS Code's esbuild problem matcher expects. */
const problemMatcher = {
  name: "problem-matcher",
  setup(build) {
    build.onStart(() => console.log("[watch] build started"));
    build.onEnd((r) => {
      for (const e of r.errors) {
        console.error(`✘ [ERROR] ${e.text}`);
        if (e.location) console.error(`    ${e.location.file}:${e.location.line}:${e.location.column}:`);
      }
      console.log("[watch] build finished");
    });
  },
};

// import.meta.url is empty in a cjs bundle; ESM dependencies (node-liblzma's WASM glue) need it.
const node = {
  ...common,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  define: { "import.meta.url": "__importMetaUrl" },
  banner: { js: 'const __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
};
const browser = { ...common, platform: "browser", format: "iife", target: "es2022" };

const webviews = fs.existsSync("webview")
  ? fs.readdirSync("webview").filter((f) => /Main\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ""))
  : [];

const configs = [
  { ...node, entryPoints: ["extension/cli/main.ts"], outfile: "dist/cli.js", banner: { js: "#!/usr/bin/env node\n" + node.banner.js } },
  ...(fs.existsSync("extension/host/extension.ts")
    ? [
        // The activation shim stays small: it loads the main bundle with a runtime require on first use.
        { ...node, entryPoints: ["extension/host/extension.ts"], outfile: "dist/extension.js", external: [...node.external, "./hostMain.js"] },
        { ...node, entryPoints: ["extension/host/hostMain.ts"], outfile: "dist/hostMain.js" },
      ]
    : []),
  ...webviews.map((w) => ({ ...browser, entryPoints: [`webview/${w}.ts`], outfile: `dist/webview/${w}.js` })),
];

// Webview assets beside the bundles: our stylesheets and the (archived upstream) toolkit, which
// pages load as a nonce'd module script.
function copyWebviewAssets() {
  if (!webviews.length) return;
  fs.mkdirSync("dist/webview", { recursive: true });
  fs.copyFileSync("node_modules/@vscode/webview-ui-toolkit/dist/toolkit.min.js", "dist/webview/toolkit.min.js");
  for (const f of fs.readdirSync("webview").filter((f) => f.endsWith(".css"))) fs.copyFileSync(`webview/${f}`, `dist/webview/${f}`);
}
copyWebviewAssets();

if (watch) {
  for (const c of configs) {
    const ctx = await esbuild.context({ ...c, plugins: [problemMatcher] });
    await ctx.watch();
  }
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  // liblzma's WASM binary is read from beside the bundles (extension/core/formats/bzimage/xzLiblzma.ts).
  fs.copyFileSync("node_modules/node-liblzma/lib/wasm/liblzma.wasm", "dist/liblzma.wasm");
  // The CLI is executable so `./dist/cli.js` works as well as `node dist/cli.js`.
  fs.chmodSync("dist/cli.js", 0o755);
}
