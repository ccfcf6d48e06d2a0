"""The Dockerfile, .dockerignore and docker-compose.yml, proved without a Docker engine.

The image cannot be built here (no engine, no base images), so each command the Dockerfile runs
is run outside Docker on what it would see: the build context the .dockerignore lets through is
built into a wheel, the wheel installed, the smoke test run, the ENTRYPOINT started with the
image's environment, and the HEALTHCHECK command run against it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import Client

REPO = Path(__file__).resolve().parents[2]
IMAGE_ROOT = "/home/mockserver"
WIREMOCK_ROOT = "/home/wiremock"  # where WireMock's image mounts stubs


@dataclass(frozen=True)
class Instruction:
    name: str
    args: str
    stage: int  # index of the FROM it belongs to

    def exec_form(self) -> list[str]:
        """The JSON-array form (`["mockserver", "serve"]`), which passes signals and args."""
        value = json.loads(self.args)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    out: list[Instruction] = []
    stage = -1
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        name, _, args = full.partition(" ")
        if name.upper() == "FROM":
            stage += 1
        out.append(Instruction(name.upper(), args.strip(), stage))
    return out


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse_dockerfile((REPO / "Dockerfile").read_text())


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    last = max(i.stage for i in instructions)
    return [i for i in instructions if i.stage == last]


def image_env(instructions: list[Instruction]) -> dict[str, str]:
    """The runtime stage's ENV, as the container's processes see it."""
    env: dict[str, str] = {}
    for instruction in final_stage(instructions):
        if instruction.name == "ENV":
            for item in shlex.split(instruction.args):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def only(instructions: list[Instruction], name: str) -> Instruction:
    found = [i for i in final_stage(instructions) if i.name == name]
    assert len(found) == 1, f"expected one {name} in the runtime stage, found {len(found)}"
    return found[0]


# -- the Dockerfile's shape ----------------------------------------------------------------------


def test_multi_stage_build_on_the_slim_official_python(dockerfile: list[Instruction]) -> None:
    """A build stage makes wheels; the runtime stage starts again from python:*-slim."""
    froms = [i.args for i in dockerfile if i.name == "FROM"]
    assert froms == ["python:${PYTHON_VERSION}-slim AS build",
                     "python:${PYTHON_VERSION}-slim AS runtime"]
    (arg,) = [i.args for i in dockerfile if i.name == "ARG"]
    assert re.fullmatch(r"PYTHON_VERSION=3\.1[0-9]+", arg)
    runtime = final_stage(dockerfile)
    assert not [i for i in runtime if i.name in ("COPY", "ADD")]  # nothing but the wheels
    install = [i.args for i in runtime if i.name == "RUN" and "pip install" in i.args]
    assert len(install) == 1 and "from=build,source=/wheels" in install[0]
    assert "--no-index" in install[0] and "--no-cache-dir" in install[0]


def test_runtime_runs_as_a_non_root_user(dockerfile: list[Instruction]) -> None:
    """The container runs as a numeric, non-root uid that owns the root dir."""
    user = only(dockerfile, "USER").args
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0
    setup = " ".join(i.args for i in final_stage(dockerfile) if i.name == "RUN")
    assert f"--uid {uid}" in setup and f"--gid {gid}" in setup
    assert f"chown -R mockserver:mockserver {IMAGE_ROOT}" in setup
    user_index = final_stage(dockerfile).index(only(dockerfile, "USER"))
    entry_index = final_stage(dockerfile).index(only(dockerfile, "ENTRYPOINT"))
    assert user_index < entry_index


def test_root_dir_port_and_logs_follow_the_wiremock_image(dockerfile: list[Instruction]) -> None:
    """Stubs at /home/mockserver (mappings/, __files/), port 8080 exposed, JSON logs."""
    env = image_env(dockerfile)
    assert env["MOCKSERVER_ROOT_DIR"] == f"{WIREMOCK_ROOT}:{IMAGE_ROOT}"
    assert env["MOCKSERVER_PORT"] == "8080" and env["MOCKSERVER_HOST"] == "0.0.0.0"
    assert env["MOCKSERVER_LOG_FORMAT"] == "json"
    assert only(dockerfile, "WORKDIR").args == IMAGE_ROOT
    assert only(dockerfile, "EXPOSE").args == "8080 8443"  # as WireMock's image
    setup = " ".join(i.args for i in final_stage(dockerfile) if i.name == "RUN")
    assert f"mkdir -p {IMAGE_ROOT}/mappings {IMAGE_ROOT}/__files" in setup


def test_entrypoint_is_mockserver_and_serve_the_default(dockerfile: list[Instruction]) -> None:
    """`docker run IMAGE` serves; `docker run IMAGE validate` runs another command."""
    assert only(dockerfile, "ENTRYPOINT").exec_form() == ["mockserver"]
    assert only(dockerfile, "CMD").exec_form() == ["serve"]


def test_healthcheck_uses_python_against_the_admin_health(dockerfile: list[Instruction]) -> None:
    """The health check needs no curl (slim has none): Python asks /__admin/health."""
    args = only(dockerfile, "HEALTHCHECK").args
    options, _, command = args.partition(" CMD ")
    assert {"--interval=10s", "--timeout=3s"} <= set(options.split())
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"] and "/__admin/health" in argv[2]


def test_build_runs_the_help_smoke_test(dockerfile: list[Instruction]) -> None:
    """`mockserver --help` runs at build time, after USER, as the runtime user."""
    runtime = final_stage(dockerfile)
    smoke = smoke_test(dockerfile)
    assert "mockserver --help" in smoke.args
    assert runtime.index(smoke) > runtime.index(only(dockerfile, "USER"))


def smoke_test(dockerfile: list[Instruction]) -> Instruction:
    (smoke,) = [i for i in final_stage(dockerfile) if i.name == "RUN" and "--help" in i.args]
    return smoke


# -- the build context ---------------------------------------------------------------------------


def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    patterns = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        glob = line.lstrip("!").strip("/")
        regex = ""
        for part in re.split(r"(\*\*/|\*\*|\*|\?)", glob):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                part, re.escape(part))
        patterns.append((negated, re.compile(regex)))
    return patterns


def ignored(relative: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for negated, regex in patterns:
        if any(regex.fullmatch(p) for p in prefixes):
            verdict = not negated
    return verdict


def build_context(destination: Path) -> Path:
    """The files `docker build .` would send, copied to `destination`."""
    patterns = dockerignore_patterns()
    for path in sorted(REPO.rglob("*")):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith((".git/", ".venv/")):
            continue  # large, and ignored in any case (checked below)
        if path.is_file() and not ignored(relative, patterns):
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return destination


def test_dockerignore_keeps_only_what_the_build_copies() -> None:
    """The context holds pyproject, README and the package; no venv, git, caches or tests."""
    patterns = dockerignore_patterns()
    for kept in ("pyproject.toml", "README.md", "mockserver/api.py", "mockserver/py.typed",
                 "mockserver/loader/files.py", "constraints-docker.txt"):
        assert not ignored(kept, patterns), kept
    for dropped in (".venv/bin/python", ".git/HEAD", "tests/conftest.py", "stubs/mappings/a.yaml",
                    "mockserver/__pycache__/api.cpython-311.pyc", "Dockerfile", "docs/index.md",
                    "mockserver.egg-info/PKG-INFO"):
        assert ignored(dropped, patterns), dropped


# -- the commands, run ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build stage's `pip wheel` (offline: no dependencies, no build isolation) on the
    context .dockerignore lets through, then the runtime stage's install into a prefix."""
    work = tmp_path_factory.mktemp("docker")
    context = build_context(work / "context")
    wheels = work / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir",
                    str(wheels), str(context)], check=True, cwd=work)
    (wheel,) = wheels.glob("mockserver-*.whl")
    prefix = work / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(prefix),
                    str(wheel)], check=True, cwd=work)
    return prefix


def container_env(dockerfile: list[Instruction], site: Path, **overrides: str) -> dict[str, str]:
    """The image's ENV on top of this environment, the installed prefix first on the paths."""
    env = {**os.environ, **image_env(dockerfile), **overrides}
    env["PYTHONPATH"] = str(site)
    env["PATH"] = f"{site / 'bin'}{os.pathsep}{env['PATH']}"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@pytest.fixture
def image_root(tmp_path: Path) -> Path:
    """/home/mockserver as the image makes it, with the repo's example stubs mounted."""
    root = tmp_path / "home-mockserver"
    shutil.copytree(REPO / "stubs", root)
    return root


def test_wheel_holds_the_package_typing_marker_and_entry_points(installed: Path) -> None:
    """The installed wheel has py.typed, the dashboard's page files, the `mockserver` script
    and the pytest11 plugin."""
    assert (installed / "mockserver" / "py.typed").exists()
    for page_file in ("dashboard.html", "dashboard.css", "dashboard.js"):
        assert (installed / "mockserver" / "admin" / "static" / page_file).exists()
    assert (installed / "bin" / "mockserver").exists()
    (entry_points,) = installed.glob("mockserver-*.dist-info/entry_points.txt")
    text = entry_points.read_text()
    assert "mockserver = mockserver.cli:main" in text
    assert "mockserver = mockserver.pytest_plugin" in text


def test_smoke_test_runs_as_in_the_build(
    dockerfile: list[Instruction], installed: Path, tmp_path: Path
) -> None:
    """The build's smoke-test RUN line passes in an empty root dir like the image's."""
    root = tmp_path / "empty-root"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    env = container_env(dockerfile, installed, MOCKSERVER_ROOT_DIR=str(root))
    result = subprocess.run(["sh", "-c", smoke_test(dockerfile).args], env=env, cwd=root,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: mockserver" in result.stdout and "0 problems" in result.stderr
    which = subprocess.run(
        [sys.executable, "-c", "import mockserver; print(mockserver.__file__)"],
        env=env, cwd=root, capture_output=True, text=True, check=True)
    assert Path(which.stdout.strip()).is_relative_to(installed)  # the wheel, not the checkout


@dataclass
class Container:
    port: int
    env: dict[str, str]
    process: subprocess.Popen[str]
    logs: list[dict[str, object]]


@pytest.fixture
def container(
    dockerfile: list[Instruction], installed: Path, image_root: Path
) -> Iterator[Container]:
    """ENTRYPOINT + CMD + the image's ENV (port 0 here: no fixed ports in tests)."""
    argv = only(dockerfile, "ENTRYPOINT").exec_form() + only(dockerfile, "CMD").exec_form()
    env = container_env(dockerfile, installed, MOCKSERVER_ROOT_DIR=str(image_root),
                        MOCKSERVER_PORT="0", MOCKSERVER_HOST="127.0.0.1")
    process = subprocess.Popen(argv, env=env, cwd=image_root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    logs: list[dict[str, object]] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # every line must be JSON
            logs.append(json.loads(line))
            if logs[-1]["event"] == "server_started":
                break
        started = [e for e in logs if e["event"] == "server_started"]
        assert started, f"no server_started event in {logs}"
        port = int(str(started[0]["port"]))
        yield Container(port, {**env, "MOCKSERVER_PORT": str(port)}, process, logs)
    finally:
        process.terminate()  # what `docker stop` sends (STOPSIGNAL SIGTERM)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_entrypoint_serves_the_mounted_stubs_with_json_logs(container: Container) -> None:
    """The image's command serves /home/mockserver and logs one JSON object per line."""
    loaded = [e for e in container.logs if e["event"] == "stubs_loaded"]
    assert loaded and loaded[0]["errors"] == 0 and int(str(loaded[0]["stubs"])) > 0
    assert Client(container.port).get("/api/users/1").json()["name"] == "Ada Lovelace"


def test_healthcheck_command_passes_against_the_running_server(
    dockerfile: list[Instruction], container: Container
) -> None:
    """The HEALTHCHECK's exact command exits 0 while the server runs, and non-zero once not."""
    argv = json.loads(only(dockerfile, "HEALTHCHECK").args.partition(" CMD ")[2])
    argv[0] = sys.executable if argv[0] == "python" else argv[0]
    healthy = subprocess.run(argv, env=container.env, capture_output=True, text=True, timeout=30)
    assert healthy.returncode == 0, healthy.stderr
    container.process.terminate()
    assert container.process.wait(timeout=10) == 0  # SIGTERM stops it cleanly
    down = subprocess.run(argv, env=container.env, capture_output=True, text=True, timeout=30)
    assert down.returncode != 0


def test_container_flags_reach_serve(
    dockerfile: list[Instruction], installed: Path, image_root: Path
) -> None:
    """Flags after the image name (replacing CMD) reach `mockserver serve`, as WireMock's
    image passes them to WireMock; `serve --help` and a bad `--port` show it."""
    entrypoint = only(dockerfile, "ENTRYPOINT").exec_form()
    env = container_env(dockerfile, installed, MOCKSERVER_ROOT_DIR=str(image_root))
    result = subprocess.run([*entrypoint, "serve", "--help"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "usage: mockserver serve" in result.stdout
    bad = subprocess.run([*entrypoint, "--port", "nope"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "usage: mockserver serve" in bad.stderr
    assert "--port: invalid port value" in bad.stderr


def test_validate_command_checks_the_mounted_stubs(
    dockerfile: list[Instruction], installed: Path, image_root: Path
) -> None:
    """`docker run IMAGE validate` checks the stubs of the image's root dir."""
    env = container_env(dockerfile, installed,
                        MOCKSERVER_ROOT_DIR=f"{image_root.parent / 'no-wiremock'}:{image_root}")
    result = subprocess.run([*only(dockerfile, "ENTRYPOINT").exec_form(), "validate"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert " 0 problems" in result.stderr and "no-wiremock" not in result.stderr
    broken = image_root / "mappings" / "broken.yaml"
    broken.write_text("request: {url: /x}\nresponse: {status: nope}\n")
    failed = subprocess.run([*only(dockerfile, "ENTRYPOINT").exec_form(), "validate"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and "broken.yaml" in failed.stdout


def test_wiremock_mount_point_is_used_when_it_holds_mappings(
    dockerfile: list[Instruction], installed: Path, image_root: Path, tmp_path: Path
) -> None:
    """Stubs mounted at WireMock's /home/wiremock are served instead of /home/mockserver's,
    and WIREMOCK_OPTIONS adds flags as in WireMock's image."""
    wiremock_root = tmp_path / "home-wiremock"
    (wiremock_root / "mappings").mkdir(parents=True)
    (wiremock_root / "mappings" / "hello.json").write_text(
        '{"request": {"url": "/hello"}, "response": {"status": 200, "body": "from wiremock"}}')
    argv = only(dockerfile, "ENTRYPOINT").exec_form() + only(dockerfile, "CMD").exec_form()
    env = container_env(dockerfile, installed,
                        MOCKSERVER_ROOT_DIR=f"{wiremock_root}:{image_root}",
                        MOCKSERVER_PORT="0",
                        WIREMOCK_OPTIONS="--bind-address 127.0.0.1 --disable-banner")
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        started: dict[str, object] = {}
        for line in process.stdout:
            event = json.loads(line)
            if event["event"] == "server_started":
                started = event
                break
        assert started["root_dir"] == str(wiremock_root)
        assert str(started["url"]).startswith("http://127.0.0.1:")
        reply = Client(int(str(started["port"]))).get("/hello")
        assert reply.status == 200 and reply.text == "from wiremock"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_build_pins_every_dependency_to_an_exact_version(dockerfile: list[Instruction]) -> None:
    """The build stage installs under a constraints file pinning every distribution of
    mockserver with the extras it builds (and the build tools) to one version, so builds
    repeat."""
    build_env = " ".join(i.args for i in dockerfile if i.stage == 0 and i.name == "ENV")
    assert "PIP_CONSTRAINT=/src/constraints-docker.txt" in build_env
    copied = " ".join(i.args for i in dockerfile if i.stage == 0 and i.name == "COPY")
    assert "constraints-docker.txt" in copied
    pins: dict[str, str] = {}
    for line in (REPO / "constraints-docker.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version and re.fullmatch(r"[0-9][0-9A-Za-z.]*", version), line
            pins[normal(name)] = version
    assert {"setuptools", "wheel"} <= pins.keys()
    (wheel,) = [i.args for i in dockerfile if i.stage == 0 and "pip wheel" in i.args]
    extras = set(re.search(r'"\.\[([\w,]+)\]"', wheel).group(1).split(","))  # type: ignore[union-attr]
    missing = sorted(dependency_closure("mockserver", extras) - pins.keys())
    assert missing == [], f"not pinned in constraints-docker.txt: {missing}"


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_closure(root: str, extras: set[str]) -> set[str]:
    """Every distribution `root[extras]` needs on this Python, from installed metadata."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo: list[tuple[str, set[str]]] = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            environments = [{"extra": e} for e in wanted] or [{"extra": ""}]
            if requirement.marker is not None and not any(
                    requirement.marker.evaluate(env) for env in environments):
                continue
            dependency = normal(requirement.name)
            if dependency == normal(root) or dependency in seen:
                continue
            seen.add(dependency)
            todo.append((dependency, set(requirement.extras)))
    return seen


# -- docker-compose.yml --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, object]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_runs_the_image_with_the_stubs_mounted(compose: dict[str, object]) -> None:
    """The mock builds from this Dockerfile, publishes 8080 and mounts ./stubs as its root."""
    services = compose["services"]
    assert isinstance(services, dict)
    mock = services["mockserver"]
    assert mock["build"] == "."
    assert mock["ports"] == ["8080:8080"]
    (volume,) = mock["volumes"]
    source, target = volume.split(":")
    assert target == IMAGE_ROOT and (REPO / source).resolve() == (REPO / "stubs").resolve()
    app = services["app"]
    assert app["depends_on"] == {"mockserver": {"condition": "service_healthy"}}
    assert app["environment"]["USERS_API"] == "http://mockserver:8080"


def test_compose_app_command_talks_to_the_mock(
    compose: dict[str, object], container: Container
) -> None:
    """The example app's command, pointed at the running mock, gets the stubbed user."""
    app = compose["services"]["app"]  # type: ignore[index]
    argv = list(app["command"])
    argv[0] = sys.executable if argv[0] == "python" else argv[0]
    env = {**os.environ, "USERS_API": f"http://127.0.0.1:{container.port}"}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "user 1 is Ada Lovelace"
