"""The HTTP API through FastAPI's test client, with a real ingested index."""

import pytest
from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.container import build_copilot
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def client(bundled_copilot):
    with TestClient(create_app(copilot=bundled_copilot)) as test_client:
        yield test_client


def test_healthz_is_open(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_search_returns_ranked_chunks_with_their_fields(client):
    response = client.get("/v1/knowledge/search", params={"q": "能发顺丰吗", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "能发顺丰吗" and body["k"] == 3 and len(body["results"]) == 3
    first = body["results"][0]
    assert first["id"] == "rule:shipping:快递公司"
    assert set(first) >= {"id", "type", "source", "score", "text"}


def test_search_filters_by_type_and_prefers_sku(client):
    response = client.get(
        "/v1/knowledge/search",
        params=[("q", "退货"), ("type", "script"), ("type", "rule"), ("k", "8")],
    )
    assert {r["type"] for r in response.json()["results"]} <= {"script", "rule"}
    response = client.get("/v1/knowledge/search", params={"q": "它不加热了", "sku": "HM-K001"})
    assert response.json()["results"][0]["sku"] == "HM-K001"
    response = client.get(
        "/v1/knowledge/search", params={"q": "怎么退货", "sku": "HM-W002", "sku_only": "true"}
    )
    assert all(r["sku"] == "HM-W002" for r in response.json()["results"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "退货", "k": 0}, "k"),
        ({"q": "退货", "k": 51}, "k"),
        ({"q": "退货", "type": "poem"}, "type"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_bad_parameters_get_422_naming_the_field(client, params, field):
    response = client.get("/v1/knowledge/search", params=params)
    assert response.status_code == 422
    assert any(field in error["loc"] for error in response.json()["detail"])


def test_blank_query_is_rejected(client):
    response = client.get("/v1/knowledge/search", params={"q": "   "})
    assert response.status_code == 422
    assert response.json()["detail"] == "query parameter 'q' must not be blank"


def test_search_without_an_index_is_503_with_the_fix(tmp_path):
    copilot = build_copilot(make_settings(tmp_path))
    with TestClient(create_app(copilot=copilot)) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/v1/knowledge/search", params={"q": "能发顺丰吗"})
    assert response.status_code == 503
    assert "run `copilot ingest` first" in response.json()["detail"]
