#!/usr/bin/env bash
# Tests of the ./tornagrad launcher itself that need no Python: the vector module is on (the
# compiled backend has generated loops), the JVM's incubator warning never reaches stderr, an
# error is exactly one line on stderr with exit code 2, other JVM output and java's exit code come
# through. Prints 'launcher: N passed, M failed'; exits 1 on any failure. e2e.sh runs it too.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/../../../.." && pwd -P)
tornagrad="$root/tornagrad"
work=$(mktemp -d "${TMPDIR:-/tmp}/tornagrad-launcher.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1: $2"; }

# run ARGS...: runs the launcher; sets rc, out and err.
run() {
  "$tornagrad" "$@" >"$work/out" 2>"$work/err"
  rc=$?
  out=$(cat "$work/out")
  err=$(cat "$work/err")
}

# The first call may build the jar (and say so on stderr); the cases below start from a built jar.
"$tornagrad" --version >/dev/null 2>&1 || { echo "launcher: ./tornagrad --version failed"; exit 1; }

run backends
compiled=$(printf '%s\n' "$out" | grep ' compiled ')
if [ "$rc" != 0 ] || [ -n "$err" ]; then
  fail backends-vector-module "expected exit code 0 and nothing on stderr, got $rc and: $err"
elif ! printf '%s' "$compiled" | grep -q 'vector API, generated loops$'; then
  fail backends-vector-module "expected the compiled backend with the vector API and generated loops, got: $compiled"
else
  pass backends-vector-module
fi

# expect_error NAME RC PATTERN ARGS...: exit code RC, exactly one line on stderr matching PATTERN.
expect_error() {
  local name=$1 code=$2 pattern=$3
  shift 3
  run "$@"
  local lines
  lines=$(printf '%s' "$err" | grep -c '')
  if [ "$rc" != "$code" ]; then
    fail "$name" "expected exit code $code, got $rc ($err)"
  elif [ "$lines" != 1 ]; then
    fail "$name" "expected exactly one line on stderr, got $lines: $err"
  elif ! printf '%s' "$err" | grep -Eq -- "$pattern"; then
    fail "$name" "expected a line matching /$pattern/, got: $err"
  else
    pass "$name"
  fi
}

expect_error error-one-line 2 "^tornagrad eval: loss: expected one of .*got 'dyce'$" eval dyce
expect_error error-unknown-flag 2 "Unknown option: '--frobnicate'" --frobnicate
TORNAGRAD_BACKEND=quantum expect_error error-backend-variable 2 \
  "^tornagrad backends: TORNAGRAD_BACKEND: expected a backend or compiler, one of \[java, .*got 'quantum'$" backends

# Whatever else the JVM says on stderr still comes through, and so does its exit code.
TORNAGRAD_JAVA_OPTS=-Xss1 run --version
if [ "$rc" = 0 ] || ! printf '%s' "$err" | grep -q 'Could not create the Java Virtual Machine'; then
  fail jvm-errors-pass-through "expected java's own error and a non-zero exit code, got $rc and: $err"
elif printf '%s' "$err" | grep -q 'incubator'; then
  fail jvm-errors-pass-through "the incubator warning came through: $err"
else
  pass jvm-errors-pass-through
fi

echo "launcher: $passed passed, $failed failed"
[ "$failed" = 0 ]
