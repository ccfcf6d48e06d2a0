"""A user's test suite using the `mockserver` fixture; run by test_pytest_sample_project.py.

Tests named `test_fails_*` must fail (the runner checks how); every other test must pass.
"""

import json
import logging
import urllib.error
import urllib.request

import pytest

from mockserver.api import Reply


def call(url, *, method="GET", data=None, headers=None):
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_builder_replies_with_json(mockserver):
    mockserver.on("GET", "/users/1").reply(200, json={"id": 1, "name": "Ada"})
    status, body = call(mockserver.url + "/users/1")
    assert (status, json.loads(body)) == (200, {"id": 1, "name": "Ada"})
    mockserver.verify({"method": "GET", "urlPath": "/users/1"}, count=1)


def test_preloaded_stub_from_the_root_dir(mockserver):
    assert call(mockserver.url + "/health") == (200, "up")


def test_journalled_requests_read_like_a_client_sent_them(mockserver):
    mockserver.on("POST", "/orders", headers={"Authorization": "Bearer t0ken"}).reply(201)
    status, _ = call(mockserver.url + "/orders?page=2&tag=a&tag=b", method="POST",
                     data={"sku": "X1", "qty": 2},
                     headers={"Authorization": "Bearer t0ken",
                              "Content-Type": "application/json"})
    assert status == 201
    (sent,) = mockserver.requests()
    assert sent.headers["authorization"] == "Bearer t0ken"
    assert sent.headers["CONTENT-TYPE"] == "application/json"
    assert sent.json() == {"sku": "X1", "qty": 2}
    assert json.loads(sent.text) == sent.json()
    assert sent.query["page"] == "2" and sent.query.get_all("tag") == ["a", "b"]
    assert sent.matched and sent.status == 201


def test_several_stubs_from_yaml_files_and_folders(mockserver, tmp_path):
    ids = mockserver.stubs(
        "- request: {method: GET, url: /a}\n  response: {status: 200, body: a}\n"
        "- request: {method: GET, url: /b}\n  response: {status: 200, body: b}\n")
    assert len(ids) == 2
    (tmp_path / "c.yaml").write_text("request: {method: GET, url: /c}\nresponse: {body: c}\n")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "d.json").write_text(
        '{"request": {"method": "GET", "url": "/d"}, "response": {"body": "d"}}')
    assert len(mockserver.load(tmp_path / "c.yaml")) == 1
    assert len(mockserver.load(tmp_path / "more")) == 1
    assert [call(mockserver.url + p)[1] for p in ("/a", "/b", "/c", "/d")] == list("abcd")


@pytest.mark.mockserver_allow_unmatched
def test_removed_stub_no_longer_answers(mockserver):
    stub_id = mockserver.on("GET", "/gone").reply(200, body="here")
    assert call(mockserver.url + "/gone") == (200, "here")
    mockserver.remove(stub_id)
    assert call(mockserver.url + "/gone")[0] == 404
    assert [r.path for r in mockserver.unmatched()] == ["/gone"]


def test_scenario_state_is_under_the_test_s_control(mockserver):
    mockserver.on("GET", "/job").in_scenario("job", when="Started", then="done").reply(
        202, body="running")
    mockserver.on("GET", "/job").in_scenario("job", when="done").reply(200, body="finished")
    mockserver.set_scenario_state("job", "done")
    assert call(mockserver.url + "/job") == (200, "finished")
    mockserver.reset_scenarios()
    assert mockserver.scenario_state("job") == "Started"
    assert call(mockserver.url + "/job") == (202, "running")
    assert mockserver.scenario_state("job") == "done"


def test_callable_response_sees_the_request(mockserver):
    stub_id = mockserver.on("GET", "/echo").reply_with(
        lambda request: Reply(200, json={"x": request.query["x"],
                                         "agent": request.headers["user-agent"][:6]}))
    status, body = call(mockserver.url + "/echo?x=42", headers={"User-Agent": "tester/1"})
    assert (status, json.loads(body)) == (200, {"x": "42", "agent": "tester"})
    assert [r.url for r in mockserver.calls(stub_id)] == ["/echo?x=42"]


def test_request_logs_reach_caplog(mockserver, caplog):
    caplog.set_level(logging.INFO, logger="mockserver")
    mockserver.on("GET", "/logged").reply(204)
    call(mockserver.url + "/logged")
    assert "request_served method=GET path=/logged status=204" in caplog.text


@pytest.mark.mockserver_allow_unmatched
def test_unmatched_allowed_by_marker(mockserver):
    assert call(mockserver.url + "/nothing/here")[0] == 404


def test_fails_on_an_unmatched_request(mockserver):
    mockserver.on("GET", "/users/1").reply(200, json={"id": 1})
    call(mockserver.url + "/users/2")


@pytest.mark.mockserver_assert_all_used
def test_fails_when_a_stub_was_never_used(mockserver):
    mockserver.on("GET", "/users/1", name="user one").reply(200)
    mockserver.on("DELETE", "/users/1", name="never deleted").reply(204)
    call(mockserver.url + "/users/1")


def test_fails_verify_with_too_many_requests(mockserver):
    mockserver.on("GET", "/poll").reply(200)
    for _ in range(3):
        call(mockserver.url + "/poll")
    mockserver.verify({"url": "/poll"}, count=2)
