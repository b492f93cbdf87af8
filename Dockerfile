# Multi-stage build on Debian bookworm. Both stages install their packages
# with deploy/packages.sh from deploy/packages.txt, the same list the local
# set-up and CI use.
#
# The only image pulled is the base, debian:bookworm-slim; packages come from
# Debian's archive. No `# syntax=` directive: it would make BuildKit pull a
# frontend image from a registry, and the built-in frontend reads everything
# used here (tests/k8s/validate.mjs checks both).

FROM debian:bookworm-slim AS build
WORKDIR /src
COPY deploy/packages.txt deploy/packages.sh deploy/
RUN deploy/packages.sh install build
COPY Makefile VERSION ./
COPY sql sql
COPY src src
# the build context has no .git: `docker build --build-arg MAM_COMMIT=$(git rev-parse --short=12 HEAD)`
ARG MAM_COMMIT=unknown
RUN make -j"$(nproc)" MAM_COMMIT="$MAM_COMMIT" build

FROM debian:bookworm-slim
COPY deploy/packages.txt deploy/packages.sh /tmp/deploy/
RUN /tmp/deploy/packages.sh install runtime \
 && rm -rf /var/lib/apt/lists/* /tmp/deploy \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mam
COPY --from=build /src/build/release/mam /usr/local/bin/mam
COPY openapi.yaml /usr/share/mam/openapi.yaml
# The contract's HTML reference (served at /reference) is built before the
# image, on the build machine, by `make reference` (the pinned Redocly of
# tests/contract): the image build downloads nothing from npm.
COPY dist/reference.html /usr/share/mam/reference.html
ENV PORT=8080 \
    BIND_ADDRESS=0.0.0.0 \
    OPENAPI_FILE=/usr/share/mam/openapi.yaml \
    REFERENCE_FILE=/usr/share/mam/reference.html
USER 10001:10001
EXPOSE 8080
# The image has no curl: the binary checks its own /livez.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/mam", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/mam"]
CMD ["serve"]
