/**
 * Extension manifest hygiene: what the marketplace, `vsce` and VS Code itself expect from package.json,
 * checked without starting VS Code.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../fixtures";

interface Contributed {
  command?: string;
  title?: string;
  category?: string;
}
interface ConfigSection {
  title?: string;
  properties?: Record<string, { description?: string; markdownDescription?: string; type?: unknown; enumDescriptions?: string[] }>;
}
interface Manifest {
  name: string;
  publisher?: string;
  displayName?: string;
  description?: string;
  icon?: string;
  categories?: string[];
  keywords?: string[];
  main?: string;
  activationEvents?: string[];
  engines?: { vscode?: string };
  capabilities?: { untrustedWorkspaces?: { supported?: unknown }; virtualWorkspaces?: unknown };
  devDependencies?: Record<string, string>;
  contributes?: {
    commands?: Contributed[];
    configuration?: ConfigSection | ConfigSection[];
    customEditors?: { viewType: string; displayName?: string }[];
    menus?: Record<string, { command?: string }[]>;
  };
}

const read = (f: string): string => fs.readFileSync(path.join(repoRoot, f), "utf8");
const pkg = JSON.parse(read("package.json")) as Manifest;
const nls = (fs.existsSync(path.join(repoRoot, "package.nls.json")) ? JSON.parse(read("package.nls.json")) : {}) as Record<string, string>;

/** A user-visible manifest string must be a %key% found in package.nls.json. */
function localized(value: string | undefined, where: string): void {
  assert.ok(value, `${where}: missing`);
  const m = /^%([^%]+)%$/.exec(value);
  assert.ok(m, `${where}: "${value}" is not a %key% from package.nls.json`);
  const text = nls[m[1] ?? ""];
  assert.ok(typeof text === "string" && text.trim().length > 0, `${where}: package.nls.json has no text for "${m[1]}"`);
}

function configSections(): ConfigSection[] {
  const c = pkg.contributes?.configuration;
  return c === undefined ? [] : Array.isArray(c) ? c : [c];
}

describe("extension manifest (package.json)", () => {
  it("activates implicitly: no \"*\" activation event", () => {
    assert.ok(!(pkg.activationEvents ?? []).includes("*"), 'activationEvents contains "*": activate on a contribution instead');
    assert.ok(pkg.main, "main is missing");
  });

  it("declares its capabilities (untrusted and virtual workspaces)", () => {
    assert.ok(pkg.capabilities, "capabilities missing");
    assert.ok(pkg.capabilities.untrustedWorkspaces && "supported" in pkg.capabilities.untrustedWorkspaces,
      "capabilities.untrustedWorkspaces.supported missing");
    assert.ok(pkg.capabilities.virtualWorkspaces !== undefined, "capabilities.virtualWorkspaces missing");
  });

  it("gives every contributed command a localized title (and category)", () => {
    const cmds = pkg.contributes?.commands ?? [];
    assert.ok(cmds.length > 0, "no commands contributed");
    for (const c of cmds) {
      assert.ok(c.command?.startsWith("kexecInspector."), `command id ${c.command} is not under kexecInspector.`);
      localized(c.title, `command ${c.command} title`);
      if (c.category !== undefined) localized(c.category, `command ${c.command} category`);
    }
  });

  it("namespaces every setting under kexecInspector.* with a localized description", () => {
    for (const section of configSections()) {
      if (section.title !== undefined) localized(section.title, "configuration title");
      for (const [key, prop] of Object.entries(section.properties ?? {})) {
        assert.match(key, /^kexecInspector\.[A-Za-z]/, `setting ${key} is not namespaced kexecInspector.*`);
        localized(prop.description ?? prop.markdownDescription, `setting ${key} description`);
        assert.ok(prop.type !== undefined, `setting ${key} has no type`);
      }
    }
  });

  it("names its custom editors (localized displayName)", () => {
    for (const e of pkg.contributes?.customEditors ?? []) localized(e.displayName, `custom editor ${e.viewType} displayName`);
  });

  it("menus only reference contributed commands", () => {
    const ids = new Set((pkg.contributes?.commands ?? []).map((c) => c.command));
    for (const [menu, items] of Object.entries(pkg.contributes?.menus ?? {})) {
      for (const it of items) if (it.command) assert.ok(ids.has(it.command), `menu ${menu} uses unknown command ${it.command}`);
    }
  });

  it("has an icon that exists (PNG, at least 128x128, small)", () => {
    assert.ok(pkg.icon, 'package.json has no "icon" (expected "media/icon.png")');
    const file = path.join(repoRoot, pkg.icon);
    assert.ok(fs.existsSync(file), `icon ${pkg.icon} does not exist`);
    const b = fs.readFileSync(file);
    assert.equal(b.subarray(1, 4).toString("latin1"), "PNG", "icon is not a PNG");
    assert.ok(b.readUInt32BE(16) >= 128 && b.readUInt32BE(20) >= 128, "icon is smaller than 128x128");
    assert.ok(b.length < 20 * 1024, `icon is ${b.length} bytes (keep it under 20 KB)`);
  });

  it("has a display name, description, publisher, categories and keywords", () => {
    assert.ok(pkg.displayName && pkg.description && pkg.publisher, "displayName, description and publisher are required");
    assert.ok((pkg.categories ?? []).length > 0, "categories missing");
    assert.ok((pkg.keywords ?? []).length > 0 && (pkg.keywords ?? []).length <= 30, "keywords missing (or more than 30)");
  });

  it("targets the VS Code API it type-checks against", () => {
    const engine = pkg.engines?.vscode?.replace(/^[\^~>=]+/, "");
    const types = pkg.devDependencies?.["@types/vscode"]?.replace(/^[\^~>=]+/, "");
    assert.ok(engine && types, "engines.vscode and @types/vscode are required");
    const [ea = 0, eb = 0] = engine.split(".").map(Number);
    const [ta = 0, tb = 0] = types.split(".").map(Number);
    assert.ok(ta < ea || (ta === ea && tb <= eb), `@types/vscode ${types} is newer than engines.vscode ${engine}`);
  });

  it("ships a CHANGELOG.md and a .vscodeignore that keeps sources out of the .vsix", () => {
    assert.ok(fs.existsSync(path.join(repoRoot, "CHANGELOG.md")), "CHANGELOG.md missing");
    const ignore = read(".vscodeignore");
    assert.match(ignore, /^\*\*$/m, ".vscodeignore should exclude everything first (**)");
    // The activation shim (package.json main), the lazily loaded host bundle and the webview bundles ship;
    // the CLI bundle does not.
    const main = String(read("package.json").match(/"main":\s*"\.\/(dist\/[^"]+)"/)?.[1]);
    for (const f of [main, "dist/hostMain.js", "dist/webview/*.js"]) assert.ok(ignore.split("\n").includes("!" + f), `.vscodeignore must let ${f} back in`);
    assert.ok(!/^!dist\/(\*\*\/\*\.js|cli\.js)$/m.test(ignore), "dist/cli.js must not ship in the .vsix");
  });
});
