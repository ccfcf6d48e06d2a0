# syntax=docker/dockerfile:1
# mockserver in a container, laid out like WireMock's image:
#   docker build -t mockserver .
#   docker run --rm -p 8080:8080 -v "$PWD/stubs:/home/mockserver" mockserver [serve flags...]
#   docker run --rm -v "$PWD/stubs:/home/mockserver" mockserver validate
# Stubs live in /home/mockserver/mappings, body files in /home/mockserver/__files; a folder
# mounted at /home/wiremock (WireMock's image's root) is used instead when it holds mappings/.
# Every option is also an environment variable (MOCKSERVER_PORT, MOCKSERVER_WATCH=true, ...);
# WIREMOCK_OPTIONS or MOCKSERVER_OPTIONS add flags ("--verbose --https-port 8443").
# tests/functional/test_docker.py runs each command below outside Docker, and checks the rest.

ARG PYTHON_VERSION=3.11

# ---- build: the project and every dependency as wheels ---------------------------------------
FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_CONSTRAINT=/src/constraints-docker.txt
WORKDIR /src
# Exact versions of every dependency and build tool: the same commit builds the same image.
COPY constraints-docker.txt pyproject.toml README.md ./
COPY mockserver ./mockserver
RUN python -m pip wheel --wheel-dir /wheels ".[watch,fast,openapi,redis]"

# ---- runtime: slim Python, the wheels installed, a non-root user -----------------------------
FROM python:${PYTHON_VERSION}-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080 \
    MOCKSERVER_ROOT_DIR=/home/wiremock:/home/mockserver \
    MOCKSERVER_LOG_FORMAT=json
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-cache-dir --no-index --find-links=/wheels "mockserver[watch,fast,openapi,redis]"
RUN groupadd --system --gid 10001 mockserver \
    && useradd --system --uid 10001 --gid mockserver --home-dir /home/mockserver \
       --no-create-home --shell /usr/sbin/nologin mockserver \
    && mkdir -p /home/mockserver/mappings /home/mockserver/__files \
    && chown -R mockserver:mockserver /home/mockserver
WORKDIR /home/mockserver
USER 10001:10001
# Smoke test, as the user the container runs as: the command starts and reads its root dir.
RUN mockserver --help && mockserver serve --help && mockserver validate
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % os.environ.get('MOCKSERVER_PORT', '8080'), timeout=2)"]
STOPSIGNAL SIGTERM
# `docker run IMAGE` serves; `docker run IMAGE --port 9000` too (flags first mean `serve`, as
# with WireMock's image); `docker run IMAGE validate` checks the mounted stubs.
ENTRYPOINT ["mockserver"]
CMD ["serve"]
