# Sourced by bench/scale.sh and bench/run.sh: a block of bench/RESULTS.md
# between <!-- NAME:begin --> and <!-- NAME:end --> written in place, or
# appended when the file has none yet.
# Usage: results_block NAME FILE (FILE holds the block, markers included)
results_block() {
  local name=$1 block=$2
  touch bench/RESULTS.md
  if grep -q "<!-- $name:begin -->" bench/RESULTS.md; then
    awk -v blockfile="$block" -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" '
      $0 == begin { while ((getline l < blockfile) > 0) print l; skip = 1; next }
      $0 == end { skip = 0; next }
      !skip { print }' bench/RESULTS.md > "$block.new"
    mv "$block.new" bench/RESULTS.md
  else
    { echo; cat "$block"; } >> bench/RESULTS.md
  fi
  sed -n "/<!-- $name:begin -->/,/<!-- $name:end -->/p" bench/RESULTS.md
}
