#!/usr/bin/env node
// `npm run package`: production build, then one platform-neutral .vsix with @vscode/vsce 3.x
// (vsce 4 needs Node 22), offline: --no-dependencies (esbuild bundles every runtime dependency
// into dist/), --allow-missing-repository, --skip-license. What ships is decided by .vscodeignore.
//
// Usage: node scripts/package.mjs [--no-build] [--out FILE] [--list] [--icon]
//   --icon  only (re)generates media/icon.png (also done when it is missing)
// Exports packageVsix() for scripts/start.mjs and the e2e runner.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
  return r;
}

// ---- icon: a 128x128 RGBA PNG drawn here (no image tools needed) -------------------------------
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function makeIconPng(size = 128) {
  const px = Buffer.alloc(size * size * 4);
  const set = (x, y, [r, g, b, a = 255]) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const i = (y * size + x) * 4; px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a;
  };
  const s = size / 128;
  const rad = 22 * s;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    // rounded square, dark blue → teal gradient
    const cx = Math.min(Math.max(x, rad), size - 1 - rad), cy = Math.min(Math.max(y, rad), size - 1 - rad);
    if (Math.hypot(x - cx, y - cy) > rad) continue;
    const t = (x + y) / (2 * size);
    set(x, y, [Math.round(18 + 10 * t), Math.round(40 + 90 * t), Math.round(90 + 60 * t)]);
  }
  const rect = (x0, y0, x1, y1, col) => { for (let y = Math.round(y0 * s); y < Math.round(y1 * s); y++) for (let x = Math.round(x0 * s); x < Math.round(x1 * s); x++) set(x, y, col); };
  const white = [240, 245, 250];
  // "K": stem + two diagonals
  rect(26, 28, 40, 100, white);
  for (let i = 0; i < 36; i++) { rect(40 + i, 62 - i, 54 + i, 70 - i, white); rect(40 + i, 58 + i, 54 + i, 66 + i, white); }
  // orange "jump" arrow (kexec: jump into the new kernel) along the bottom
  const orange = [255, 160, 40];
  rect(58, 104, 98, 112, orange);
  for (let i = 0; i < 10; i++) rect(96 + i, 98 + i, 98 + i, 118 - i, orange);
  // memory-map bars on the right
  const green = [120, 220, 160];
  rect(88, 26, 104, 32, green); rect(88, 36, 104, 42, [200, 210, 230]); rect(88, 46, 104, 52, green);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) { raw[y * (size * 4 + 1)] = 0; px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4); }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}
export function ensureIcon(force = false) {
  const file = path.join(ROOT, "media/icon.png");
  if (force || !fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, makeIconPng());
    console.log(`wrote ${path.relative(ROOT, file)} (${fs.statSync(file).size} bytes)`);
  }
  return file;
}

// ---- vsix ----------------------------------------------------------------------------------------
export function vsixPath() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  return path.join(ROOT, `${pkg.name}-${pkg.version}.vsix`);
}

export function packageVsix({ build = true, out = vsixPath(), list = false } = {}) {
  ensureIcon();
  if (build) {
    run(process.execPath, ["build.mjs", "--production"]);
    // a production build writes no sourcemaps: drop stale ones from earlier development builds
    for (const f of fs.readdirSync(path.join(ROOT, "dist"), { recursive: true })) {
      if (String(f).endsWith(".js.map")) fs.rmSync(path.join(ROOT, "dist", String(f)), { force: true });
    }
  }
  const vsce = path.join(ROOT, "node_modules/@vscode/vsce/vsce");
  if (!fs.existsSync(vsce)) throw new Error("@vscode/vsce is not installed: run npm ci");
  const t0 = Date.now();
  // --no-rewrite-relative-links: package.json names no repository, so vsce cannot turn the README's
  // media/screenshots/*.png into absolute URLs (it would refuse to package); they ship in the .vsix
  // (media/**) and VS Code's extension page shows them from there.
  run(process.execPath, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--skip-license",
    "--no-rewrite-relative-links", "--no-update-package-json", "--no-git-tag-version", "-o", out], { stdio: ["ignore", "inherit", "inherit"] });
  const size = fs.statSync(out).size;
  console.log(`vsix: ${path.relative(process.cwd(), out) || out} ${(size / 1024).toFixed(1)} KiB (${size} bytes), packaged in ${Date.now() - t0} ms`);
  if (list) run(process.execPath, [vsce, "ls", "--no-dependencies"], { stdio: ["ignore", "inherit", "inherit"] });
  return { file: out, size };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
  try {
    if (argv.includes("--icon")) ensureIcon(true);
    else packageVsix({ build: !argv.includes("--no-build"), out: opt("--out") ? path.resolve(opt("--out")) : vsixPath(), list: argv.includes("--list") });
  } catch (e) {
    console.error(String(e.message ?? e));
    process.exit(1);
  }
}
