#!/usr/bin/env bash
# Tornagrad against PyTorch CPU eager, in one run on one machine:
#   1. the benchmark inputs (fixed seed) as .npy, shared by both sides;
#   2. JMH's TriadBenchmark (memory bandwidth), and again right before and right after the JMH
#      run of dice's compiled backend (on 2 threads), so that dice's floor is taken at the
#      bandwidth of the seconds it ran in;
#   3. loss by loss, PyTorch then Tornagrad, so that the two times a ratio compares are taken
#      within a minute of each other (on a shared machine, bandwidth and clock drift over minutes):
#      PyTorch (Debian's python3-torch at /usr/bin/python3) runs the seed loss, forward + backward,
#      median of repeats, on 1 thread and on 2 (the machine's cores); JMH runs
#      LossBenchmark.forwardBackward for that loss on every backend;
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

echo "== 2/4 JMH TriadBenchmark -> $work/jmh-triad.json" >&2
java -jar "$jar" 'TriadBenchmark' -rf json -rff "$work/jmh-triad.json" "$@" >&2

echo "== 3/4 loss by loss: PyTorch $("$python" -c 'import torch; print(torch.__version__)') on 1 and 2 threads, then JMH" >&2
losses="$("$python" "$here/python/time_torch.py" --list)"
for loss in $losses; do
  echo "== $loss" >&2
  "$python" "$here/python/time_torch.py" "$work/inputs" 1 "${TORCH_REPEATS:-15}" --losses "$loss" > "$work/torch-1-$loss.json"
  "$python" "$here/python/time_torch.py" "$work/inputs" 2 "${TORCH_REPEATS:-15}" --losses "$loss" > "$work/torch-2-$loss.json"
  if [ "$loss" = dice ]; then
    # dice's floor is taken at the bandwidth of the seconds its compiled backend is measured in:
    # the eager backends first, then a triad right before the compiled run and one right after
    # (the bandwidth of a shared machine drifts within a minute).
    java -jar "$jar" 'LossBenchmark.forwardBackward' -p loss=dice -p backend=java,parallel \
      -rf json -rff "$work/jmh-dice-eager.json" "$@" >&2
    java -jar "$jar" 'TriadBenchmark' -p threads=2 -rf json -rff "$work/jmh-triad-before-dice.json" "$@" >&2
    java -jar "$jar" 'LossBenchmark.forwardBackward' -p loss=dice -p backend=compiled \
      -rf json -rff "$work/jmh-dice-compiled.json" "$@" >&2
    java -jar "$jar" 'TriadBenchmark' -p threads=2 -rf json -rff "$work/jmh-triad-after-dice.json" "$@" >&2
    "$python" -c 'import json, sys; json.dump(sum((json.load(open(f)) for f in sys.argv[2:]), []), open(sys.argv[1], "w"), indent=1)' \
      "$work/jmh-dice.json" "$work/jmh-dice-eager.json" "$work/jmh-dice-compiled.json"
  else
    java -jar "$jar" 'LossBenchmark.forwardBackward' -p loss="$loss" -rf json -rff "$work/jmh-$loss.json" "$@" >&2
  fi
done
# One file per side, as if measured in one go: the JMH results concatenated, PyTorch's times merged.
"$python" - "$work" $losses <<'PY'
import json, sys
work, losses = sys.argv[1], sys.argv[2:]
jmh = json.load(open("%s/jmh-triad.json" % work))
for t in ("1", "2"):
    merged = None
    for loss in losses:
        part = json.load(open("%s/torch-%s-%s.json" % (work, t, loss)))
        merged = merged or dict(part, ms={})
        merged["ms"].update(part["ms"])
    json.dump(merged, open("%s/torch-%s.json" % (work, t), "w"))
for loss in losses:
    jmh += json.load(open("%s/jmh-%s.json" % (work, loss)))
json.dump(jmh, open("%s/jmh.json" % work, "w"), indent=1)
PY

echo "== 4/4 table" >&2
bracket=()
if [ -f "$work/jmh-triad-before-dice.json" ] && [ -f "$work/jmh-triad-after-dice.json" ]; then
  bracket=("$work/jmh-triad-before-dice.json" "$work/jmh-triad-after-dice.json")
fi
"$python" "$here/python/compare_table.py" "$work/jmh.json" "$work/torch-1.json" "$work/torch-2.json" ${bracket[@]+"${bracket[@]}"} \
  | tee "$work/comparison.md"
