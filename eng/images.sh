#!/usr/bin/env bash
# Builds the container images of Connectors, tagged as deploy/compose.yaml names them: connectors-filesystem,
# connectors-database, connectors-github, connectors-slack (also :<version>, as deploy/k8s names them); and a
# PostgreSQL 15, a Redis 7 and an HAProxy 2.6 for the pool (deploy/compose.replicas.yaml) and the tests where the
# official images cannot be had. Prints each image's size and build time.
#   usage: eng/images.sh [--bases official|local] [--published DIR] [--check]
# --bases official: the Dockerfile's defaults (the .NET SDK, runtime-deps and Debian images from their registries); the
#   servers are published inside the SDK image; PostgreSQL, Redis and HAProxy are the official images (not built here).
# --bases local: no registry needed. Debian bookworm is bootstrapped from Debian's packages (debootstrap) and imported
#   as connectors-local/debian:bookworm; connectors-local/runtime-deps:10.0, connectors-local/postgres:15,
#   connectors-local/redis:7 and connectors-local/haproxy:2.6 are built on it; the servers come from eng/publish.sh run on this machine (--published DIR, a folder with one
#   Connectors.<Name>/ per server as eng/test.sh publishes them; published into artifacts/native-servers when absent).
#   Local images are never named as if they were the official ones.
# Default: official when the official images can be had (present, or pulled), else local.
# --check builds nothing: checks that the images exist, run as uid 1654, carry a HEALTHCHECK and the OCI labels, and
#   prints their sizes; exit code 1 when one does not.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source eng/lib/docker.sh
source eng/lib/servers.sh
source eng/lib/apt.sh

say() { printf '[images] %s\n' "$*" >&2; }

bases=auto; published=""; check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bases) bases=${2:?--bases official|local}; shift 2 ;;
    --published) published=$(cd "${2:?--published DIR}" && pwd); shift 2 ;;
    --check) check=1; shift ;;
    *) echo "usage: eng/images.sh [--bases official|local] [--published DIR] [--check]" >&2; exit 2 ;;
  esac
done

SERVERS=(filesystem database github slack)
LOCAL_DEBIAN=connectors-local/debian:bookworm
LOCAL_RUNTIME_DEPS=connectors-local/runtime-deps:10.0
LOCAL_POSTGRES=connectors-local/postgres:15
LOCAL_REDIS=connectors-local/redis:7
LOCAL_HAPROXY=connectors-local/haproxy:2.6

human() { numfmt --to=si --suffix=B --format='%.1f' "$1"; }
image_size() { docker image inspect -f '{{.Size}}' "$1"; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }

check_images() {
  local failed=0 image user labels health
  for server in "${SERVERS[@]}"; do
    image=connectors-$server
    if ! has_image "$image"; then say "$image: missing"; failed=1; continue; fi
    user=$(docker image inspect -f '{{.Config.User}}' "$image")
    health=$(docker image inspect -f '{{if .Config.Healthcheck}}{{join .Config.Healthcheck.Test " "}}{{end}}' "$image")
    labels=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}} {{index .Config.Labels "org.opencontainers.image.licenses"}}' "$image")
    # The user is a name in the image; what counts is the uid it resolves to.
    uid=$(docker run --rm --entrypoint /usr/bin/id "$image" -u 2>/dev/null || echo "?")
    if [ "$uid" != 1654 ] || [ -z "$health" ] || [ "$labels" = " " ]; then
      say "$image: user '$user' (uid $uid), healthcheck '$health', labels '$labels': not as required"
      failed=1
    fi
    say "$image: $(human "$(image_size "$image")"), user $user (uid $uid), version/licences $labels"
  done
  for image in "$LOCAL_POSTGRES" "$LOCAL_REDIS" "$LOCAL_HAPROXY"; do
    if has_image "$image"; then say "$image: $(human "$(image_size "$image")")"; fi
  done
  return $failed
}

# Debian bookworm, minimal, from Debian's packages: the base every local image starts from.
make_local_debian() {
  has_image "$LOCAL_DEBIAN" && return
  command -v debootstrap >/dev/null 2>&1 || apt_require "the local Debian base image needs debootstrap" debootstrap
  local started=$SECONDS rootfs
  rootfs=$(mktemp -d /tmp/connectors-debian-XXXXXX)
  say "bootstrapping Debian bookworm (minbase) for $LOCAL_DEBIAN"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 \
    || { tail -5 "$rootfs.log" >&2; exit 1; }
  cat > "$rootfs/etc/apt/sources.list" <<'SOURCES'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
  # As slim as the usual bookworm-slim: no documentation, manuals or translations now or from later installs.
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/connectors-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
SLIM
  # Nor package caches in image layers (the pkgcache alone is 80 MB after an apt-get update).
  cat > "$rootfs/etc/apt/apt.conf.d/connectors-no-cache" <<'NOCACHE'
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };
NOCACHE
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' \
    --change 'LABEL org.opencontainers.image.description="Debian bookworm (minbase), bootstrapped from Debian packages by eng/images.sh"' \
    - "$LOCAL_DEBIAN" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  say "$LOCAL_DEBIAN: $(human "$(image_size "$LOCAL_DEBIAN")") in $((SECONDS - started)) s"
}

# A RUN apt-get step reaches Debian's mirror only over the host's network (no NAT for containers here).
build_local() {
  local tag=$1; shift
  local started=$SECONDS
  docker build --network host --quiet "$@" -t "$tag" >/dev/null
  say "$tag: $(human "$(image_size "$tag")") in $((SECONDS - started)) s"
}

official_available() {
  local image
  for image in mcr.microsoft.com/dotnet/sdk:10.0 mcr.microsoft.com/dotnet/runtime-deps:10.0 debian:bookworm-slim; do
    has_image "$image" || docker pull -q "$image" >/dev/null 2>&1 || return 1
  done
}

if ! docker_ensure; then
  say "no Docker engine: $DOCKER_UNAVAILABLE"
  exit 1
fi
trap docker_stop_started EXIT

if [ "$check" = 1 ]; then
  check_images
  exit $?
fi

if [ "$bases" = auto ]; then
  if official_available; then bases=official; else bases=local; say "the official base images cannot be had: local bases"; fi
fi

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
source_url=$(git config --get remote.origin.url 2>/dev/null || echo unknown)
labels=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "SOURCE=$source_url")

total=$SECONDS
case "$bases" in
  official)
    for server in "${SERVERS[@]}"; do
      started=$SECONDS
      docker build --quiet -f deploy/docker/Dockerfile --build-arg "SERVER=$server" "${labels[@]}" -t "connectors-$server" . >/dev/null
      say "connectors-$server: $(human "$(image_size "connectors-$server")") in $((SECONDS - started)) s"
    done ;;
  local)
    make_local_debian
    has_image "$LOCAL_RUNTIME_DEPS" || build_local "$LOCAL_RUNTIME_DEPS" --build-arg "DEBIAN_IMAGE=$LOCAL_DEBIAN" \
      -f deploy/docker/runtime-deps.Dockerfile deploy/docker
    build_local "$LOCAL_POSTGRES" --build-arg "DEBIAN_IMAGE=$LOCAL_DEBIAN" deploy/postgres
    build_local "$LOCAL_REDIS" --build-arg "DEBIAN_IMAGE=$LOCAL_DEBIAN" deploy/redis
    build_local "$LOCAL_HAPROXY" --build-arg "DEBIAN_IMAGE=$LOCAL_DEBIAN" deploy/haproxy
    if [ -z "$published" ]; then
      published=$root/artifacts/native-servers
      for server in "${SERVERS[@]}"; do
        project=$(server_project "$server")
        [ -x "$published/$project/$project" ] && continue
        say "publishing $project (eng/publish.sh)"
        bash eng/publish.sh "$server" "$published/$project"
      done
    fi
    servers_started=$SECONDS
    for server in "${SERVERS[@]}"; do
      build_local "connectors-$server" -f deploy/docker/Dockerfile --build-arg "SERVER=$server" --build-arg SERVER_BUILD=published \
        --build-context "published=$published/$(server_project "$server")" \
        --build-arg "RUNTIME_DEPS_IMAGE=$LOCAL_RUNTIME_DEPS" --build-arg "DEBIAN_IMAGE=$LOCAL_DEBIAN" "${labels[@]}" .
    done
    say "the four server images in $((SECONDS - servers_started)) s" ;;
  *) echo "--bases official|local" >&2; exit 2 ;;
esac
# The Kubernetes manifests name the images by version (deploy/k8s/base: connectors-<server>:<version>).
for server in "${SERVERS[@]}"; do docker tag "connectors-$server" "connectors-$server:$version"; done
say "done in $((SECONDS - total)) s"
check_images
