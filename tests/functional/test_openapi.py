"""OpenAPI: `openapi import` writes stubs that serve, `validate --openapi` finds stubs that lie."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from mockserver import MockServer
from tests.conftest import Client

SPEC = """
openapi: 3.0.3
info: {title: Pets, version: "1"}
servers: [{url: /api/v1}]
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
        "404": {description: no such pet}
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: pets
          content:
            application/json:
              examples:
                two: {value: [{id: 1, name: Rex}, {id: 2, name: Tom}]}
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "201":
          description: created
          content:
            application/json:
              example: {id: 3, name: Kit}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, minimum: 1}
        name: {type: string}
        born: {type: string, format: date}
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockserver", *args], capture_output=True,
                          text=True, timeout=60)


def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "pets.yaml"
    path.write_text(SPEC)
    return path


def test_import_writes_one_stub_per_operation_that_serves(tmp_path: Path) -> None:
    """Each operation becomes a stub file; examples and generated values are served."""
    root = tmp_path / "root"
    result = run("openapi", "import", str(spec_file(tmp_path)), "--root-dir", str(root))
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (root / "mappings").iterdir())
    assert files == ["createPet.yaml", "getPet.yaml", "listPets.yaml"]
    get_pet = yaml.safe_load((root / "mappings" / "getPet.yaml").read_text())
    assert get_pet["request"] == {"method": "GET", "urlPathTemplate": "/api/v1/pets/{petId}"}
    assert get_pet["metadata"] == {"openapi": {"operationId": "getPet"}}
    with MockServer(root_dir=root) as server:
        client = Client(server.port)
        pet = client.get("/api/v1/pets/5")
        assert pet.status == 200 and pet.header("Content-Type") == "application/json"
        assert pet.json() == {"id": 1, "name": "string", "born": "2024-01-01"}
        assert client.get("/api/v1/pets").json() == [{"id": 1, "name": "Rex"},
                                                     {"id": 2, "name": "Tom"}]
        created = client.post("/api/v1/pets", body=b"{}")
        assert created.status == 201 and created.json() == {"id": 3, "name": "Kit"}


def test_import_again_updates_in_place(tmp_path: Path) -> None:
    """Re-importing keeps ids, moved files and added keys, and changes only the answer."""
    root = tmp_path / "root"
    spec = spec_file(tmp_path)
    run("openapi", "import", str(spec), "--root-dir", str(root))
    mappings = root / "mappings"
    moved = mappings / "pets" / "one.yaml"
    moved.parent.mkdir()
    (mappings / "getPet.yaml").rename(moved)
    stub = yaml.safe_load(moved.read_text())
    stub["priority"] = 1
    moved.write_text(yaml.safe_dump(stub))
    spec.write_text(SPEC.replace("minimum: 1", "minimum: 10"))
    result = run("openapi", "import", str(spec), "--root-dir", str(root))
    assert result.returncode == 0, result.stderr
    assert not (mappings / "getPet.yaml").exists()
    again = yaml.safe_load(moved.read_text())
    assert again["id"] == stub["id"] and again["priority"] == 1
    assert again["response"]["jsonBody"]["id"] == 10


def test_validate_reports_stubs_that_disagree_with_the_spec(tmp_path: Path) -> None:
    """Unknown operations, undeclared statuses and bodies off-schema, as file:line: key: msg."""
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "pets.yaml").write_text(yaml.safe_dump({"mappings": [
        {"request": {"method": "GET", "urlPath": "/api/v1/pets/1"},
         "response": {"status": 200, "jsonBody": {"id": 1, "name": "Rex"}}},
        {"request": {"method": "DELETE", "urlPath": "/api/v1/pets/1"},
         "response": {"status": 204}},
        {"request": {"method": "GET", "urlPathTemplate": "/api/v1/pets/{id}"},
         "response": {"status": 500}},
        {"request": {"method": "GET", "urlPath": "/api/v1/pets/2"},
         "response": {"status": 200, "jsonBody": {"id": "two"}}},
        {"request": {"method": "GET", "urlPattern": "/api/v1/.*"},
         "response": {"status": 418}},
        {"request": {"method": "GET", "urlPath": "/elsewhere"}, "response": {"status": 200}},
    ]}, sort_keys=False))
    result = run("validate", "--root-dir", str(root), "--openapi", str(spec_file(tmp_path)))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == (f"{root / 'mappings' / 'pets.yaml'}:12: mappings.1.request.urlPath: "
                        f"DELETE /api/v1/pets/1 is not an operation of {tmp_path / 'pets.yaml'}")
    assert any("mappings.2.response.status: 500 is not a response of GET /pets/{petId} "
               "(declared: 200, 404)" in line for line in lines)
    assert any("mappings.3.response.jsonBody" in line and "'name' is a required property"
               in line for line in lines)
    assert any("mappings.3.response.jsonBody.id" in line and "'two' is not of type 'integer'"
               in line for line in lines)
    assert len(lines) == 4, lines  # the regex stub and the stub outside the spec are not checked


def test_validate_accepts_an_imported_folder(tmp_path: Path) -> None:
    """What `openapi import` writes passes `validate --openapi` (exit 0)."""
    root = tmp_path / "root"
    spec = spec_file(tmp_path)
    run("openapi", "import", str(spec), "--root-dir", str(root))
    result = run("validate", "--root-dir", str(root), "--openapi", str(spec))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_spec_is_exit_two(tmp_path: Path) -> None:
    """A file that is not OpenAPI is named, exit 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\npaths: {/x: {get: {responses: 12}}}\n")
    result = run("openapi", "import", str(bad), "--root-dir", str(tmp_path / "r"))
    assert result.returncode == 2
    assert "bad.yaml: not valid OpenAPI" in result.stderr


def test_the_documented_example_imports_what_the_page_shows(tmp_path: Path) -> None:
    """docs/contracts.md's petstore imports, validates clean, and getPet is the page's stub."""
    repo = Path(__file__).resolve().parents[2]
    spec = repo / "docs" / "examples" / "petstore.yaml"
    root = tmp_path / "root"
    assert run("openapi", "import", str(spec), "--root-dir", str(root)).returncode == 0
    result = run("validate", "--root-dir", str(root), "--openapi", str(spec))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (repo / "docs" / "contracts.md").read_text()
    shown = page[page.index("id: af86"):].split("```", 1)[0]
    assert yaml.safe_load((root / "mappings" / "getPet.yaml").read_text()) == yaml.safe_load(
        shown)


PETSTORE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "petstore.yaml"


def _pet_stubs(root: Path) -> None:
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "mappings" / "pets.yaml").write_text(yaml.safe_dump({"mappings": [
        {"request": {"method": "POST", "urlPath": "/api/v1/pets"},
         "response": {"status": 201, "jsonBody": {"id": 1, "name": "Rex"}}},
        {"request": {"method": "GET", "urlPath": "/health"}, "response": {"status": 200}},
    ]}))


def test_serve_soft_mode_journals_violations_and_answers(tmp_path: Path) -> None:
    """--openapi (soft): a violating request is served as usual; its journal entry lists why."""
    _pet_stubs(tmp_path)
    with MockServer(root_dir=tmp_path, openapi=PETSTORE) as server:
        client = Client(server.port)
        bad = client.post("/api/v1/pets", body=b'{"tag": 3}',
                          headers={"Content-Type": "application/json"})
        assert bad.status == 201
        good = client.post("/api/v1/pets", body=b'{"name": "Tom"}',
                           headers={"Content-Type": "application/json"})
        assert good.status == 201
        assert client.get("/health").status == 200  # outside the description: not checked
        events = client.get("/__admin/requests").json()["requests"]
        by_body = {e["request"].get("body"): e.get("subEvents", []) for e in events}
        violation = [s for s in by_body['{"tag": 3}'] if s["type"] == "OPENAPI_VIOLATION"]
        assert violation, by_body
        messages = [v["message"] for v in violation[0]["data"]["violations"]]
        assert "'name' is a required property" in messages
        assert not [s for s in by_body['{"name": "Tom"}'] if s["type"] == "OPENAPI_VIOLATION"]
        assert not [s for e in events if e["request"]["url"] == "/health"
                    for s in e.get("subEvents", []) if s["type"] == "OPENAPI_VIOLATION"]


def test_serve_strict_mode_answers_400_with_a_problem(tmp_path: Path) -> None:
    """--openapi-validation strict: a violating request gets a 400 problem, before matching."""
    _pet_stubs(tmp_path)
    with MockServer(root_dir=tmp_path, openapi=PETSTORE, openapi_strict=True) as server:
        client = Client(server.port)
        refused = client.post("/api/v1/pets", body=b'{"tag": 3}',
                              headers={"Content-Type": "application/json"})
        assert refused.status == 400
        assert refused.header("Content-Type") == "application/problem+json"
        problem = refused.json()
        assert problem["status"] == 400 and any(
            v["message"] == "'name' is a required property" for v in problem["violations"])
        unknown = client.get("/api/v1/owners")
        assert unknown.status == 400 and unknown.json()["violations"][0]["where"] == "path"
        assert client.post("/api/v1/pets", body=b'{"name": "Tom"}',
                           headers={"Content-Type": "application/json"}).status == 201
        assert client.get("/health").status == 200


def test_serve_refuses_a_broken_description(tmp_path: Path) -> None:
    """`serve --openapi` with a file that is not OpenAPI exits 2 naming it."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("not: openapi\n")
    result = run("serve", "--root-dir", str(tmp_path), "--port", "0", "--openapi", str(bad))
    assert result.returncode == 2 and "bad.yaml" in result.stderr
