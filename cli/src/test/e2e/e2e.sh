#!/usr/bin/env bash
# End-to-end test of the ./tornagrad launcher: writes inputs with NumPy, runs `./tornagrad eval`
# for each loss (defaults and a few options), and compares the printed value and the gradient
# files with the PyTorch reference losses/src/test/python/torch_reference.py, at the parity
# suite's tolerances. Also checks that bad input exits with 2 and exactly one line on stderr.
# Prints 'e2e: N passed, M failed'; exits 1 on any failure, 2 when PyTorch is missing.
# Python: $TORNAGRAD_PYTHON, else /usr/bin/python3 (Debian's, where python3-torch installs).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/../../../.." && pwd -P)
py=${TORNAGRAD_PYTHON:-/usr/bin/python3}
tornagrad="$root/tornagrad"
reference="$root/losses/src/test/python/torch_reference.py"

if ! "$py" -c 'import numpy, torch' 2>/dev/null; then
  echo "e2e: $py cannot import numpy and torch; install them (e.g. apt-get install python3-numpy python3-torch)" >&2
  echo "e2e: 0 passed, 0 failed (not run)"
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tornagrad-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1: $2"; }

# The first call may build the jar; do it here, so the cases below time only themselves.
if ! "$tornagrad" --version >/dev/null; then
  echo "e2e: ./tornagrad --version failed"
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi

# ---- Parity cases ------------------------------------------------------------------------------
cases=$("$py" "$here/e2e_cases.py" make "$work") || { echo "e2e: cannot write the cases"; exit 1; }
case_dirs=()
while IFS=$'\t' read -r name loss inputs options; do
  dir="$work/$name"
  case_dirs+=("$dir")
  args=(eval "$loss")
  for input in $inputs; do args+=("$input=$dir/$input.npy"); done
  for option in $options; do args+=(--option "$option"); done
  args+=(--grads "$dir/grads")
  "$tornagrad" "${args[@]}" >"$dir/stdout.txt" 2>"$dir/stderr.txt"
  echo $? >"$dir/rc"
done <<<"$cases"

"$py" "$reference" "${case_dirs[@]}" || { echo "e2e: torch_reference.py failed"; exit 1; }

for dir in "${case_dirs[@]}"; do
  name=$(basename "$dir")
  rc=$(cat "$dir/rc")
  if [ "$rc" != 0 ]; then
    fail "$name" "exit code $rc: $(head -c 300 "$dir/stderr.txt")"
  elif [ -s "$dir/stderr.txt" ]; then
    fail "$name" "expected nothing on stderr, got: $(head -c 300 "$dir/stderr.txt")"
  elif result=$("$py" "$here/e2e_cases.py" check "$dir"); then
    pass "$name"
  else
    fail "$name" "$result"
  fi
done

# ---- Bad input: exit code 2, exactly one line on stderr naming the problem ---------------------
# expect_usage_error NAME PATTERN ARGS...: PATTERN is an extended regular expression for the line.
expect_usage_error() {
  local name=$1 pattern=$2
  shift 2
  local err rc lines
  err=$("$tornagrad" "$@" 2>&1 >/dev/null)
  rc=$?
  lines=$(printf '%s' "$err" | grep -c '')
  if [ "$rc" != 2 ]; then
    fail "$name" "expected exit code 2, got $rc ($err)"
  elif [ "$lines" != 1 ]; then
    fail "$name" "expected exactly one line on stderr, got $lines: $err"
  elif ! printf '%s' "$err" | grep -Eq -- "$pattern"; then
    fail "$name" "expected a line matching /$pattern/, got: $err"
  else
    pass "$name"
  fi
}

d="$work/dice"
"$py" -c "import numpy as np; a = np.load('$d/inputs.npy'); a[0, 0, 1, 1] = np.nan; np.save('$work/nan.npy', a)"
printf 'not a numpy file' >"$work/garbage.npy"
expect_usage_error error-unknown-loss "loss: expected one of .*got 'dyce'" eval dyce inputs="$d/inputs.npy" targets="$d/targets.npy"
expect_usage_error error-missing-input "missing 'targets'" eval dice inputs="$d/inputs.npy"
expect_usage_error error-unknown-input "input name: expected one of .*got 'logits'" eval dice logits="$d/inputs.npy" targets="$d/targets.npy"
expect_usage_error error-missing-file "no-such\.npy.*no such file" eval dice inputs="$work/no-such.npy" targets="$d/targets.npy"
expect_usage_error error-malformed-npy "garbage\.npy" eval dice inputs="$work/garbage.npy" targets="$d/targets.npy"
expect_usage_error error-nan "expected finite values, got NaN" eval dice inputs="$work/nan.npy" targets="$d/targets.npy"
expect_usage_error error-shape-mismatch "targets.*expected.*shape|shape.*targets" eval dice inputs="$d/inputs.npy" targets="$work/dice-multiclass-none/targets.npy"
expect_usage_error error-unknown-option "option smoth.*unknown option" eval dice inputs="$d/inputs.npy" targets="$d/targets.npy" --option smoth=1
expect_usage_error error-bad-option-value "option reduction: expected one of mean, sum, none, got 'avg'" eval dice inputs="$d/inputs.npy" targets="$d/targets.npy" --option reduction=avg
expect_usage_error error-unknown-backend "--backend: expected a backend or compiler, one of .*got 'quantum'" eval dice inputs="$d/inputs.npy" targets="$d/targets.npy" --backend quantum
expect_usage_error error-unknown-flag "Unknown option: '--frobnicate'" eval dice --frobnicate

# The launcher's own checks (vector module on, incubator warning filtered, exit codes).
if "$here/launcher.sh" >"$work/launcher.txt" 2>&1; then
  pass launcher
else
  fail launcher "$(grep -E '^FAIL' "$work/launcher.txt" | head -n 5)"
fi

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
