#!/usr/bin/env bash
# A new user's first steps, on a local Maven repository that holds none of the project's own
# artifacts (as on a machine that never built Tornagrad): in a fresh clone of this checkout's
# HEAD, the README's main job `./tornagrad demo` must build and write its PNG, and the README's
# Java route (`mvn -B install -DskipTests`, then examples/quickstart) must build and run.
# The repository is seeded from ~/.m2 minus org/tornagrad (hard links: fast, and the third-party
# jars are the same bytes Maven Central would send), so the check costs seconds, not downloads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
work=$(mktemp -d "${TMPDIR:-/tmp}/tornagrad-fresh.XXXXXX")
trap 'rm -rf "$work"' EXIT

repo="$work/m2"
mkdir -p "$repo"
if [ -d "$HOME/.m2/repository" ]; then
  cp -al "$HOME/.m2/repository/." "$repo/"
fi
rm -rf "$repo/org/tornagrad"
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$repo"

git clone -q "$root" "$work/clone"
cd "$work/clone"

fail() { echo "fresh-machine: FAIL: $1" >&2; echo "fresh-machine: 0 passed, 1 failed"; exit 1; }

# The README's main job, word for word.
./tornagrad demo >"$work/demo.out" 2>"$work/demo.err" || {
  tail -n 30 "$work/demo.err" >&2
  fail "./tornagrad demo exited non-zero"
}
[ -s tornagrad-demo.png ] || fail "./tornagrad demo wrote no tornagrad-demo.png"
[ "$(head -c 8 tornagrad-demo.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  fail "tornagrad-demo.png is not a PNG"
[ ! -d "$repo/org/tornagrad" ] || fail "the launcher's build installed into the local repository"
echo "fresh-machine: ./tornagrad demo built from an empty repository and wrote tornagrad-demo.png"

# The README's Java route: install, then a project of one's own that depends on the losses.
mvn -B -q -Dstyle.color=never install -DskipTests >"$work/install.log" 2>&1 || {
  tail -n 30 "$work/install.log" >&2
  fail "mvn -B install -DskipTests failed"
}
mvn -B -q -Dstyle.color=never -f examples/quickstart/pom.xml compile exec:java >"$work/quickstart.out" 2>&1 || {
  tail -n 30 "$work/quickstart.out" >&2
  fail "examples/quickstart failed"
}
grep -q '^compiled step 99' "$work/quickstart.out" || {
  cat "$work/quickstart.out" >&2
  fail "examples/quickstart did not reach its last step"
}
echo "fresh-machine: mvn -B install -DskipTests, then examples/quickstart, ran from an empty repository"
echo "fresh-machine: 2 passed, 0 failed"
