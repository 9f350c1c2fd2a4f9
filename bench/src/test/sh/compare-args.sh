#!/usr/bin/env bash
# Argument handling of bench/compare-with-pytorch.sh, without its 10-minute run: --help prints the
# usage and writes nothing; an unknown option, a WORK_DIR that is a file and a bad TORCH_REPEATS
# are refused with one line on stderr and exit code 2, before anything runs or is written.
# Prints 'compare-args: N passed, M failed'; exits 1 on any failure.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
script="$(cd "$here/../../.." && pwd -P)/compare-with-pytorch.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/tornagrad-compare-args.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1: $2"; }

# check NAME RC STDOUT_PATTERN STDERR_PATTERN ARGS...: run in an empty folder, which must stay
# empty; an empty pattern expects nothing on that stream.
check() {
  local name=$1 code=$2 outp=$3 errp=$4
  shift 4
  local dir="$work/$name"
  mkdir -p "$dir"
  (cd "$dir" && "$script" "$@" >"$work/$name.out" 2>"$work/$name.err")
  local rc=$? out err
  out=$(cat "$work/$name.out")
  err=$(cat "$work/$name.err")
  if [ "$rc" != "$code" ]; then
    fail "$name" "expected exit code $code, got $rc; stderr: $err"
  elif [ -n "$(ls -A "$dir")" ]; then
    fail "$name" "expected nothing written, got: $(ls -A "$dir")"
  elif [ -z "$outp" ] && [ -n "$out" ]; then
    fail "$name" "expected nothing on stdout, got: $out"
  elif [ -n "$outp" ] && ! printf '%s' "$out" | grep -Eq -- "$outp"; then
    fail "$name" "expected stdout matching /$outp/, got: $out"
  elif [ -n "$errp" ] && { [ "$(printf '%s' "$err" | grep -c '')" != 1 ] || ! printf '%s' "$err" | grep -Eq -- "$errp"; }; then
    fail "$name" "expected one line on stderr matching /$errp/, got: $err"
  elif [ -z "$errp" ] && [ -n "$err" ]; then
    fail "$name" "expected nothing on stderr, got: $err"
  else
    pass "$name"
  fi
}

check help 0 '^Usage: bench/compare-with-pytorch.sh \[WORK_DIR\]' '' --help
check help-short 0 '^Usage:' '' -h
check help-after-work-dir 0 '^Usage:' '' somewhere -wi 1 --help
check unknown-option 2 '' "unknown option '--frobnicate'.*see --help" --frobnicate
touch "$work/a-file"
check work-dir-is-a-file 2 '' "WORK_DIR: expected a folder, got the file '$work/a-file'" "$work/a-file"
TORCH_REPEATS=many check bad-repeats 2 '' "TORCH_REPEATS: expected a positive integer, got 'many'" somewhere
PYTHON=/nonexistent/python check no-torch 2 '' "PYTHON=/nonexistent/python cannot import numpy and torch" somewhere

echo "compare-args: $passed passed, $failed failed"
[ "$failed" = 0 ]
