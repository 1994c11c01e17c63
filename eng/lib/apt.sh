# Sourced by eng/test.sh, eng/bench.sh and eng/images.sh: what a script needs from Debian, installed the same way.
#   apt_can_install              -> 0 when this shell may install packages (root, with apt-get)
#   apt_install PKG...           -> installs them quietly (apt-get update once per shell); non-zero when it cannot or fails
#   apt_require "NEED" PKG...    -> apt_install, or says "NEED (apt-get install PKG...)" on stderr and exits 1

APT_UPDATED=${APT_UPDATED:-0}

apt_can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  apt_can_install || return 1
  printf '[apt] installing %s from Debian\n' "$*" >&2
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq >/dev/null || return 1
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

apt_require() {
  local need=$1
  shift
  apt_install "$@" && return
  printf '%s (apt-get install %s); install and re-run.\n' "$need" "$*" >&2
  exit 1
}
