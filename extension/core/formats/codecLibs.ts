/**
 * The decompression libraries of the bzImage payload and vmcore page codecs, behind one module that
 * codecs.ts and pageCodecs.ts require() on their first decode: the libraries (their module
 * evaluation and tables) are not loaded with the bundle, and esbuild still bundles their tree-shaken
 * ESM builds (a bare `require("fflate")` would pull the whole CommonJS build, +27 KiB).
 */
export { Gunzip, unzlibSync } from "fflate";
export { Decompress as ZstdDecompress, decompress as zstdDecompress } from "fzstd";
export { uncompress as snappyUncompress } from "snappyjs";
import Bunzip from "seek-bzip";
export { Bunzip };
