// Compiles a .wasm file with Node's V8, whose relaxed-SIMD proposal is off by default: Safari ships
// no relaxed SIMD and rejects a whole module containing one such instruction, so a dependency
// update that slips one in fails here, not on users' iPhones. It first proves the check can fail:
// a tiny module with one relaxed instruction must be refused, one with its plain twin accepted.
//
// node scripts/check-wasm.mjs pkg/webdistill_bg.wasm pkg/cpu/webdistill_bg.wasm

import { readFileSync } from "node:fs";

/** A module of one function () → v128 applying `op` to two zero vectors. */
function tinyModule(op) {
  const v128Const = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const body = [0x00, ...v128Const, ...v128Const, ...op, 0x0b];
  const code = [0x01, body.length, ...body];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () → v128
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x0a, code.length, ...code]);
}

const compiles = (bytes) => {
  try {
    new WebAssembly.Module(bytes);
    return null;
  } catch (error) {
    return error.message;
  }
};

// i8x16.swizzle (SIMD128) and i8x16.relaxed_swizzle (relaxed SIMD).
if (compiles(tinyModule([0xfd, 0x0e])) !== null || compiles(tinyModule([0xfd, 0x80, 0x02])) === null) {
  console.error("this Node compiles relaxed SIMD (or not even SIMD128): the check would prove nothing");
  process.exit(1);
}
const paths = process.argv.slice(2);
if (!paths.length) {
  console.error("usage: node scripts/check-wasm.mjs MODULE.wasm...");
  process.exit(2);
}
for (const path of paths) {
  const bytes = readFileSync(path);
  const error = compiles(bytes);
  if (error !== null) {
    console.error(`${path} does not compile without relaxed SIMD (as in Safari): ${error}`);
    process.exit(1);
  }
  console.error(`${path}: compiles with relaxed SIMD off (${(bytes.length / 1e6).toFixed(1)} MB)`);
}
