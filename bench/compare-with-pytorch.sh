#!/usr/bin/env bash
# Tornagrad against PyTorch CPU eager, in one run on one machine:
#   1. the benchmark inputs (fixed seed) as .npy, shared by both sides;
#   2. PyTorch (Debian's python3-torch at /usr/bin/python3): the seed losses, forward + backward,
#      median of repeats, on 1 thread and on 2 (the machine's cores);
#   3. JMH: LossBenchmark.forwardBackward on every backend, and TriadBenchmark (memory bandwidth);
#   4. one table: per loss, PyTorch's time, Tornagrad's per backend, the speed-up of the best
#      backend over the faster PyTorch, and for dice the ratio to the bandwidth floor.
# Usage: bench/compare-with-pytorch.sh [WORK_DIR] [extra JMH options, e.g. -wi 2 -i 3]
# Environment: PYTHON (default /usr/bin/python3), TORCH_REPEATS (default 15).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
work="${1:-$root/bench/target/compare}"
shift || true
python="${PYTHON:-/usr/bin/python3}"
jar="$root/bench/target/benchmarks.jar"
mkdir -p "$work"

if [ ! -f "$jar" ]; then
  echo "building $jar" >&2
  (cd "$root" && mvn -B -q install -pl bench -am -DskipTests)
fi

echo "== machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== 1/4 inputs -> $work/inputs" >&2
java -cp "$jar" org.tornagrad.bench.BenchInputs "$work/inputs"

echo "== 2/4 PyTorch $("$python" -c 'import torch; print(torch.__version__)'), 1 and 2 threads" >&2
"$python" "$here/python/time_torch.py" "$work/inputs" 1 "${TORCH_REPEATS:-15}" > "$work/torch-1.json"
"$python" "$here/python/time_torch.py" "$work/inputs" 2 "${TORCH_REPEATS:-15}" > "$work/torch-2.json"

echo "== 3/4 JMH (LossBenchmark.forwardBackward, TriadBenchmark) -> $work/jmh.json" >&2
java -jar "$jar" 'LossBenchmark.forwardBackward|TriadBenchmark' -rf json -rff "$work/jmh.json" "$@" >&2

echo "== 4/4 table" >&2
"$python" "$here/python/compare_table.py" "$work/jmh.json" "$work/torch-1.json" "$work/torch-2.json" | tee "$work/comparison.md"
