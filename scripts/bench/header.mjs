// Header parse time: parseBzImage on each real image (warm, in-process), no native counterpart.
import * as path from "node:path";
import * as fs from "node:fs";
import { openFile } from "../../extension/core/io/byteSource.ts";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage.ts";

const dir = path.join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "bzimage");
for (const name of fs.readdirSync(dir).filter((f) => !f.endsWith(".json"))) {
  const file = path.join(dir, name);
  for (let i = 0; i < 20; i++) { const s = openFile(file); parseBzImage(s); s.close(); }
  const N = 200;
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < N; i++) { const s = openFile(file); parseBzImage(s); bytes = s.bytesRead; s.close(); }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / N;
  console.log(`header parse ${name}: ${ms.toFixed(3)} ms (cold file open each time), ${bytes} bytes read`);
}
