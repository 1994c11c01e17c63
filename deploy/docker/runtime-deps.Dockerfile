# What a Native AOT server needs from its base image, made from Debian packages: for machines with no image registry,
# where eng/images.sh builds it as connectors-local/runtime-deps:10.0 in place of mcr.microsoft.com/dotnet/runtime-deps.
# The same contract as the official image: glibc, OpenSSL, CA certificates, zlib, time zones, and the unprivileged user
# app (uid and gid 1654) that the server images run as. No ICU: the native servers run globalization-invariant.
#   docker build --network host -f deploy/docker/runtime-deps.Dockerfile --build-arg DEBIAN_IMAGE=... -t ... deploy/docker
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates libc6 libssl3 zlib1g tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 1654 app \
 && useradd --system --uid 1654 --gid app --no-create-home --home-dir /app --shell /usr/sbin/nologin app
ENV APP_UID=1654
