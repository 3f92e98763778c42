# A small image that runs `apivigil`: a plain install (no demo, no test tools) in a virtualenv
# copied onto python:slim, run as an unprivileged user.
#
#   docker build -t apivigil .
#   docker run --rm apivigil scan https://api.example.com --spec https://api.example.com/openapi.json --no-store
#   docker run --rm -e APIVIGIL_USER -v "$PWD:/work" apivigil scan https://api.example.com -o report.sarif
#
# Extras are chosen at build time: `docker build --build-arg EXTRAS=postgres,strict -t apivigil .`
# (`demo` too, though `apivigil demo` serves on the container's own loopback only).
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
ARG EXTRAS=""
WORKDIR /src
COPY pyproject.toml README.md LICENSE requirements.lock ./
COPY src ./src
# Pinned like the development set-up (requirements.lock); bytecode compiled at install time so
# the unprivileged user starts as fast as the build user would.
RUN python -m venv /opt/apivigil \
 && /opt/apivigil/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/apivigil/bin/pip install --no-cache-dir --compile -c requirements.lock \
      ".${EXTRAS:+[$EXTRAS]}" \
 && /opt/apivigil/bin/apivigil --version

FROM python:${PYTHON_VERSION}-slim
LABEL org.opencontainers.image.title="apivigil" \
      org.opencontainers.image.description="Security scanner for HTTP APIs" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"
COPY --from=build /opt/apivigil /opt/apivigil
RUN useradd --create-home --uid 10001 apivigil \
 && mkdir /work && chown apivigil /work
ENV PATH=/opt/apivigil/bin:$PATH \
    PYTHONUNBUFFERED=1
USER apivigil
WORKDIR /work
ENTRYPOINT ["apivigil"]
CMD ["--help"]
