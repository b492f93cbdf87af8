#!/usr/bin/env bash
# Install the Debian packages a stage needs, from deploy/packages.txt.
#   deploy/packages.sh install <stage>...   install what is missing
#   deploy/packages.sh list <stage>...      print the package names
# Runs apt-get directly as root, through sudo otherwise. Installs nothing
# when every package is already present, so it is cheap to call each time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

packages_for() {
  local stage
  for stage in "$@"; do
    awk -v s="$stage" '$1 == s { print $2 }' "$here/packages.txt"
  done
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

command=${1:-}
shift || true
[ $# -gt 0 ] || { echo "usage: $0 install|list <stage>..." >&2; exit 2; }

case "$command" in
  list) packages_for "$@" ;;
  install)
    missing=()
    for p in $(packages_for "$@"); do
      # nodejs from another source (for example NodeSource) is as good as Debian's.
      if [ "$p" = nodejs ] || [ "$p" = npm ]; then
        command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue
      fi
      is_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && exit 0
    echo "Installing Debian packages: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    ;;
  *) echo "usage: $0 install|list <stage>..." >&2; exit 2 ;;
esac
