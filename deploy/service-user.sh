# Sourced by deploy/run-local.sh and tests/run.sh.
#
# The service never runs as root: invoked as root, it runs as the 'postgres'
# user (the same user as the private clusters), through setpriv, which execs
# in place so that $! and signals reach the service itself.
#
# When 'postgres' cannot read the checkout (a clone under /root or in a
# private mktemp -d), the files the service reads are staged, read-only, in
# /var/tmp/mam-<hash>/stage first.

# service_stage FILE... : prints, for each file, a path the service user can
# read (the file itself, or its staged copy).
service_stage() {
  local top hash stage f
  if [ "$(id -u)" -ne 0 ]; then
    for f in "$@"; do echo "$f"; done
    return
  fi
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  hash=$(printf '%s' "$top" | sha256sum | cut -c1-12)
  stage="/var/tmp/mam-$hash/stage"
  for f in "$@"; do
    if runuser -u postgres -- test -r "$f" 2>/dev/null; then
      echo "$f"
    else
      mkdir -p "$stage"
      chmod 755 "/var/tmp/mam-$hash" "$stage"
      install -m 755 "$f" "$stage/$(basename "$f")"
      echo "$stage/$(basename "$f")"
    fi
  done
}

# service_exec BINARY [ARGS...] : runs the binary as the service user, in
# place of the calling shell or subshell.
service_exec() {
  if [ "$(id -u)" -eq 0 ]; then
    # libpq looks for its TLS files (~/.postgresql) under HOME, so HOME is
    # the service user's own, not root's, which it cannot read.
    HOME=$(getent passwd postgres | cut -d: -f6) \
      exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  fi
  exec "$@"
}
