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
# Usage: bench/compare-with-pytorch.sh --help (below).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
me="bench/compare-with-pytorch.sh"

usage() {
  cat <<EOF
Usage: $me [WORK_DIR] [JMH_OPTION...]
       $me [-h | --help]

Times every loss, forward + backward, on PyTorch CPU eager (1 and 2 threads) and on each
Tornagrad backend (JMH), on the same inputs, loss by loss, and prints one Markdown table (also
written to WORK_DIR/comparison.md). Takes about 10 minutes with JMH's defaults and writes about
250 MB (inputs as .npy, JMH and PyTorch JSON) into WORK_DIR.

  WORK_DIR      folder for inputs and results; default: bench/target/compare
                (a WORK_DIR that starts with '-' must be written ./-name)
  JMH_OPTION    after WORK_DIR (or after --), passed to every JMH run, e.g. -wi 2 -i 3
                (java -jar bench/target/benchmarks.jar -h lists them)
  -h, --help    print this and exit

Environment: PYTHON (default /usr/bin/python3, with numpy and torch), TORCH_REPEATS (default 15).
EOF
}
# A usage error: one line on stderr, exit code 2.
die() {
  echo "$me: $*" >&2
  exit 2
}

work=""
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  --) shift ;;
  -*) die "unknown option '$1' (WORK_DIR comes first, JMH options after it or after --); see --help" ;;
  "") [ $# -eq 0 ] || die "WORK_DIR: expected a folder, got ''" ;;
  *) work="$1"; shift ;;
esac
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
  esac
done
work="${work:-$root/bench/target/compare}"
[ ! -e "$work" ] || [ -d "$work" ] || die "WORK_DIR: expected a folder, got the file '$work'"
repeats="${TORCH_REPEATS:-15}"
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || die "TORCH_REPEATS: expected a positive integer, got '$repeats'"
python="${PYTHON:-/usr/bin/python3}"
"$python" -c 'import numpy, torch' 2>/dev/null \
  || die "PYTHON=$python cannot import numpy and torch; install them (e.g. apt-get install python3-torch) or set PYTHON"
jar="$root/bench/target/benchmarks.jar"
mkdir -p "$work" || die "WORK_DIR: cannot create '$work'"

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
  "$python" "$here/python/time_torch.py" "$work/inputs" 1 "$repeats" --losses "$loss" > "$work/torch-1-$loss.json"
  "$python" "$here/python/time_torch.py" "$work/inputs" 2 "$repeats" --losses "$loss" > "$work/torch-2-$loss.json"
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
