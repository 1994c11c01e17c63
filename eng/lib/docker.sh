# Sourced by eng/test.sh and eng/images.sh: makes sure a Docker engine answers, or says why none can.
#   docker_ensure          -> 0 and DOCKER_READY=1 when `docker info` answers (an engine that was there, or one started
#                             here); 1 and DOCKER_UNAVAILABLE="reason" otherwise (the caller skips with that reason).
#   docker_stop_started    -> stops the dockerd this shell started (nothing when the engine was already there).
# Where there is no engine and we are root with apt, Debian trixie's docker.io (26.1, API 1.45) is installed: bookworm's
# 20.10 speaks API 1.41, which Testcontainers 4 refuses. Only the engine's packages come from trixie (a pin of priority 50
# keeps every other package on bookworm), and the install is refused when it would upgrade anything already installed.
# With no registry reachable, iptables and NAT are off: containers reach each other on user networks and published
# ports answer on 127.0.0.1.

DOCKER_READY=0
DOCKER_UNAVAILABLE=""
DOCKER_STARTED_PID=""
DOCKER_LOG=${DOCKER_LOG:-/tmp/connectors-dockerd.log}
# The engine's packages taken from trixie: the daemon, containerd, BuildKit's client plugin and compose v2's CLI plugin.
# runc, iptables and tini come from bookworm (trixie's runc needs trixie's libc6; bookworm's 1.1.5 satisfies docker.io).
DOCKER_PACKAGES=(docker.io containerd docker-buildx docker-compose)

docker_say() { printf '[docker] %s\n' "$*" >&2; }

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; }

docker_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    DOCKER_UNAVAILABLE="no Docker engine answers and this user cannot install one (needs root and apt-get); start one (dockerd) or set DOCKER_HOST"
    return 1
  fi
  local list=/etc/apt/sources.list.d/connectors-trixie.sources pin=/etc/apt/preferences.d/connectors-trixie
  if [ ! -e "$list" ]; then
    docker_say "adding Debian trixie as a low-priority apt source (for the engine's packages only)"
    cat > "$list" <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    cat > "$pin" <<'PIN'
# Only what is asked for by name (package/trixie) comes from trixie; nothing installed is upgraded to it.
Package: *
Pin: release n=trixie
Pin-Priority: 50
PIN
  fi
  apt-get update -qq >/dev/null 2>&1 || { DOCKER_UNAVAILABLE="apt-get update failed (no Debian mirror?)"; return 1; }
  local wanted=() p
  for p in "${DOCKER_PACKAGES[@]}"; do wanted+=("$p/trixie"); done
  # A dry run first: installing the engine must not upgrade (or remove) a package that is already there, e.g. libc6
  # or python3 (trixie's would switch /usr/bin/python3 to 3.13).
  local plan
  plan=$(DEBIAN_FRONTEND=noninteractive apt-get install -s -y --no-install-recommends "${wanted[@]}" 2>&1) \
    || { DOCKER_UNAVAILABLE="apt cannot install the engine: $(printf '%s' "$plan" | tail -3 | tr '\n' ' ')"; return 1; }
  local changed
  changed=$(printf '%s\n' "$plan" | grep -E '^(Inst [^ ]+ \[|Remv )' || true)
  if [ -n "$changed" ]; then
    DOCKER_UNAVAILABLE="installing docker.io from trixie would change installed packages: $(printf '%s' "$changed" | awk '{print $2}' | tr '\n' ' ')"
    return 1
  fi
  docker_say "installing ${DOCKER_PACKAGES[*]} from trixie ($(printf '%s\n' "$plan" | grep -c '^Inst ') new packages, nothing upgraded)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null 2>&1 \
    || { DOCKER_UNAVAILABLE="apt-get install of the engine failed"; return 1; }
}

docker_start() {
  docker_say "starting dockerd (log: $DOCKER_LOG)"
  # setsid: the daemon gets its own process group, so stopping the caller's group does not take it down mid-test.
  setsid dockerd --iptables=false --ip-masq=false >"$DOCKER_LOG" 2>&1 < /dev/null &
  DOCKER_STARTED_PID=$!
  local i
  for i in $(seq 1 60); do
    if docker_answers; then return 0; fi
    if ! kill -0 "$DOCKER_STARTED_PID" 2>/dev/null; then
      DOCKER_UNAVAILABLE="dockerd exited at start: $(tail -3 "$DOCKER_LOG" | tr '\n' ' ')"
      DOCKER_STARTED_PID=""
      return 1
    fi
    sleep 1
  done
  DOCKER_UNAVAILABLE="dockerd did not answer within 60 s: $(tail -3 "$DOCKER_LOG" | tr '\n' ' ')"
  docker_stop_started
  return 1
}

docker_ensure() {
  if docker_answers; then
    DOCKER_READY=1
    docker_say "using the running engine ($(docker version -f '{{.Server.Version}}' 2>/dev/null), API $(docker version -f '{{.Server.APIVersion}}' 2>/dev/null))"
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    DOCKER_UNAVAILABLE="DOCKER_HOST=$DOCKER_HOST does not answer"
    return 1
  fi
  if ! command -v dockerd >/dev/null 2>&1 || ! docker compose version >/dev/null 2>&1 || ! docker buildx version >/dev/null 2>&1; then
    docker_install || return 1
  fi
  command -v docker >/dev/null 2>&1 || { DOCKER_UNAVAILABLE="no docker client after the install"; return 1; }
  docker_start || return 1
  DOCKER_READY=1
  docker_say "engine $(docker version -f '{{.Server.Version}}' 2>/dev/null) (API $(docker version -f '{{.Server.APIVersion}}' 2>/dev/null)) started here, pid $DOCKER_STARTED_PID"
}

docker_stop_started() {
  [ -n "$DOCKER_STARTED_PID" ] || return 0
  docker_say "stopping the dockerd started here (pid $DOCKER_STARTED_PID)"
  kill -TERM "$DOCKER_STARTED_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 30); do
    kill -0 "$DOCKER_STARTED_PID" 2>/dev/null || break
    sleep 1
  done
  kill -KILL "$DOCKER_STARTED_PID" 2>/dev/null || true
  DOCKER_STARTED_PID=""
}
