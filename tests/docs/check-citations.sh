#!/usr/bin/env bash
# Every test that docs/security.md cites as `suite::name` (a * matches any
# run of characters) must exist among the Test(suite, name) declarations
# under tests/ (or the test("name") calls of tests/idp/ and tests/hooks/<suite>.test.mjs),
# so the OWASP table cannot point at tests that were renamed or never
# written. Prints how many citations were checked.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
declared=$( (grep -rhoE '^(Test|ParameterizedTest)\([a-z_0-9]+, *[A-Za-z_0-9]+' tests --include='*.c' |
             sed -E 's/^[A-Za-z]+\(([a-z_0-9]+), *([A-Za-z_0-9]+)/\1::\2/'
             # node:test files: test("name") in tests/idp/<suite>.test.mjs is <suite>::name
             for f in tests/idp/*.test.mjs tests/hooks/*.test.mjs; do
               suite=$(basename "$f" .test.mjs)
               grep -oE '^test\("[A-Za-z_0-9]+"' "$f" | sed -E "s/^test\\(\"([A-Za-z_0-9]+)\"/$suite::\\1/"
             done) | sort -u)
cited=$(grep -oE '`[a-z_0-9]+::[A-Za-z_0-9*]+`' docs/security.md | tr -d '`' | sort -u)
missing=0
checked=0
while read -r citation; do
  [ -n "$citation" ] || continue
  checked=$((checked + 1))
  pattern="^$(printf '%s' "$citation" | sed 's/\*/.*/g')\$"
  if ! grep -qE "$pattern" <<<"$declared"; then
    echo "docs/security.md cites $citation, which no test declares" >&2
    missing=$((missing + 1))
  fi
done <<<"$cited"
# the files it cites must exist too
while read -r file; do
  [ -n "$file" ] || continue
  checked=$((checked + 1))
  if [ ! -e "$file" ]; then
    echo "docs/security.md cites $file, which does not exist" >&2
    missing=$((missing + 1))
  fi
done < <(grep -oE '`(tests|src|sql|deploy|docs)/[A-Za-z0-9_./-]+`' docs/security.md | tr -d '`' | sort -u)
[ "$missing" -eq 0 ] || exit 1
echo "docs/security.md: $checked cited tests and files exist"
