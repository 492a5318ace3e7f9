"""One deployment, many shops: isolation, 403/404/422, per-shop analytics, lazy loading."""

import shutil

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from copilot.api.app import create_app
from copilot.cli import app as cli
from copilot.container import build_hub
from copilot.errors import ConfigError, ShopRequiredError, UnknownShopError
from copilot.shops import collection_for, shop_settings
from tests.conftest import TINY_SHOP, make_settings

KEY_ALL, KEY_A = "key-for-every-shop", "key-for-shop-a"


@pytest.fixture(scope="module")
def shops(two_shops):
    return two_shops


def hub_for(root, **overrides):
    settings = make_settings(root, shops_dir=root / "shops", data_dir=root / "data", **overrides)
    return build_hub(settings)


@pytest.fixture(scope="module")
def client(shops):
    keys = shops / "keys.txt"
    keys.write_text(f"{KEY_ALL}\n{KEY_A} shop-a\n", "utf-8")
    app = create_app(hub=hub_for(shops, api_keys_file=keys))
    with TestClient(app) as test_client:
        yield test_client


def post(client, path, body, key=KEY_ALL, **params):
    return client.post(path, json=body, params=params, headers={"Authorization": f"Bearer {key}"})


def get(client, path, key=KEY_ALL, **params):
    return client.get(path, params=params, headers={"Authorization": f"Bearer {key}"})


def test_each_shop_answers_from_its_own_rules_only(client):
    a = post(client, "/v1/drafts", {"message": "几天发货？发什么快递", "shop": "shop-a"}).json()
    b = post(client, "/v1/drafts", {"message": "几天发货？发什么快递", "shop": "shop-b"}).json()
    text_a = " ".join(d["text"] for d in a["drafts"])
    text_b = " ".join(d["text"] for d in b["drafts"])
    assert "24小时" in text_a and "48小时" not in text_a and "顺丰" not in text_a
    assert "48小时" in text_b and "24小时" not in text_b and "申通" not in text_b
    found = get(client, "/v1/knowledge/search", q="从哪个仓发货", shop="shop-b").json()
    texts = " ".join(hit["text"] for hit in found["results"])
    assert "成都仓" in texts and "杭州仓" not in texts


def test_each_shop_checks_with_its_own_banned_words(client):
    def passed(text, shop):
        return post(client, "/v1/compliance/check", {"text": text, "shop": shop}).json()["passed"]

    assert not passed("这是龙井之王", "shop-a") and passed("这是龙井之王", "shop-b")
    assert passed("这是蜀山茶仙", "shop-a") and not passed("这是蜀山茶仙", "shop-b")
    # the built-in lexicon holds for every shop
    assert not passed("喝了能降血压", "shop-a") and not passed("喝了能降血压", "shop-b")


def test_a_request_must_name_a_served_shop(client):
    missing = post(client, "/v1/drafts", {"message": "几天发货"})
    assert missing.status_code == 422 and "shop-a, shop-b" in missing.json()["detail"]
    unknown = post(client, "/v1/drafts", {"message": "几天发货", "shop": "shop-z"})
    assert unknown.status_code == 404 and "'shop-z'" in unknown.json()["detail"]
    assert get(client, "/v1/knowledge/search", q="发货", shop="shop-z").status_code == 404
    assert get(client, "/v1/coverage").status_code == 422
    assert get(client, "/v1/coverage", shop="shop-b").status_code == 200


def test_a_key_bound_to_shops_uses_only_those(client):
    other = post(client, "/v1/drafts", {"message": "几天发货", "shop": "shop-b"}, key=KEY_A)
    assert other.status_code == 403 and "'shop-b'" in other.json()["detail"]
    # the key's only shop needs no name
    own = post(client, "/v1/drafts", {"message": "几天发货"}, key=KEY_A)
    assert own.status_code == 200
    assert "24小时" in own.json()["drafts"][0]["text"]
    assert [s["shop"] for s in get(client, "/v1/shops", key=KEY_A).json()["shops"]] == ["shop-a"]
    listed = get(client, "/v1/shops").json()
    assert listed["many"] and [s["shop"] for s in listed["shops"]] == ["shop-a", "shop-b"]
    assert all(s["chunks"] == 10 and s["problem"] is None for s in listed["shops"])
    check = post(client, "/v1/compliance/check", {"text": "你好", "shop": "shop-b"}, key=KEY_A)
    assert check.status_code == 403
    assert get(client, "/v1/analytics", key=KEY_A, shop="shop-b").status_code == 403


def test_analytics_per_shop_and_across_a_keys_shops(client):
    before = {
        shop: get(client, "/v1/analytics", shop=shop).json()["requests"]
        for shop in ("shop-a", "shop-b")
    }
    served_b = [
        post(client, "/v1/drafts", {"message": f"第{n}次问：几天发货", "shop": "shop-b"}).json()
        for n in range(3)
    ]
    post(client, "/v1/drafts", {"message": "怎么泡好喝", "shop": "shop-a"})
    after = {
        shop: get(client, "/v1/analytics", shop=shop).json()["requests"]
        for shop in ("shop-a", "shop-b")
    }
    assert after["shop-a"] - before["shop-a"] == 1 and after["shop-b"] - before["shop-b"] == 3
    both = get(client, "/v1/analytics").json()["requests"]
    assert both == after["shop-a"] + after["shop-b"]
    assert get(client, "/v1/analytics", key=KEY_A).json()["requests"] == after["shop-a"]
    # feedback on shop b's draft: fine with a key for every shop, 403 with shop a's key
    feedback = {"request_id": served_b[0]["request_id"], "draft_index": 0, "action": "accepted"}
    assert post(client, "/v1/feedback", feedback, key=KEY_A).status_code == 403
    assert post(client, "/v1/feedback", feedback).status_code == 200
    by_intent = get(client, "/v1/analytics", shop="shop-b").json()["top_intents"]
    assert sum(intent["feedback"] for intent in by_intent) == 1
    own = get(client, "/v1/analytics", key=KEY_A).json()["top_intents"]
    assert sum(intent["feedback"] for intent in own) == 0


def test_readyz_reports_every_shop(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["shop:shop-a"] == "ok" and checks["shop:shop-b"] == "ok"


def test_shops_load_lazily_and_the_least_recently_used_is_unloaded(shops):
    hub = hub_for(shops, max_loaded_shops=1)
    assert hub.loaded() == []
    assert "24小时" in hub.get("shop-a").draft(_request("几天发货")).drafts[0].text
    assert hub.loaded() == ["shop-a"]
    assert "48小时" in hub.get("shop-b").draft(_request("几天发货")).drafts[0].text
    assert hub.loaded() == ["shop-b"]  # shop-a went: one shop at most
    assert "24小时" in hub.get("shop-a").draft(_request("几天发货")).drafts[0].text
    assert hub.loaded() == ["shop-a"]


def _request(message):
    from copilot.schemas import DraftRequest

    return DraftRequest(message=message)


def test_a_shop_added_or_removed_is_noticed_without_a_restart(shops, tmp_path):
    root = tmp_path / "deployment"
    shutil.copytree(shops / "shops", root / "shops")
    shutil.copytree(shops / "data", root / "data")
    hub = hub_for(root)
    hub.rescan_seconds = 0.0
    assert hub.shops() == ["shop-a", "shop-b"]
    shutil.copytree(TINY_SHOP, root / "shops" / "shop-c")
    (root / "shops" / "not a shop").mkdir()  # an invalid id is not served
    assert hub.shops() == ["shop-a", "shop-b", "shop-c"]
    ready, checks = hub.readiness()
    assert ready and "copilot ingest --shop shop-c" in checks["shop:shop-c"]
    hub.get("shop-c").ingest()  # as `copilot ingest --shop shop-c` does against a Chroma server
    assert hub.readiness()[1]["shop:shop-c"] is None
    hub.get("shop-b")
    shutil.rmtree(root / "shops" / "shop-b")
    with pytest.raises(UnknownShopError, match="'shop-b'"):
        hub.resolve("shop-b")
    assert "shop-b" not in hub.loaded()
    with pytest.raises(ShopRequiredError, match="shop-a, shop-c"):
        hub.resolve(None)


def test_the_single_shop_setup_is_a_deployment_of_one(bundled_copilot):
    from copilot.shops import ShopHub

    hub = ShopHub.single(bundled_copilot)
    assert hub.shops() == ["default"] and hub.resolve(None) == "default"
    with pytest.raises(UnknownShopError, match="COPILOT_SHOP"):
        hub.resolve("shop-a")
    assert shop_settings(bundled_copilot.settings, "x") is bundled_copilot.settings


def test_cli_ingest_reports_a_broken_shop_and_ingests_the_others(tmp_path):
    shops_dir = tmp_path / "shops"
    shutil.copytree(TINY_SHOP, shops_dir / "good")
    shutil.copytree(TINY_SHOP, shops_dir / "broken")
    (shops_dir / "broken" / "products" / "tea.yaml").write_text("sku: [unclosed\n", "utf-8")
    data = tmp_path / "data"
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", "--shops-dir", str(shops_dir), "--data-dir", str(data)])
    assert result.exit_code == 1
    assert "shop broken:" in result.output and "tea.yaml" in result.output
    assert "shop good: ingested" in result.output and "not ingested: broken" in result.output
    listed = runner.invoke(cli, ["shops", "--shops-dir", str(shops_dir), "--data-dir", str(data)])
    assert listed.exit_code == 0, listed.output
    lines = dict(line.split("\t", 1) for line in listed.output.strip().splitlines())
    assert "copilot ingest --shop broken" in lines["broken"]
    assert lines["good"].startswith("10 chunks") and lines["good"].endswith("ok")
    unknown = runner.invoke(
        cli, ["ingest", "--shops-dir", str(shops_dir), "--data-dir", str(data), "--shop", "nope"]
    )
    assert unknown.exit_code == 1 and "'nope'" in unknown.output
    # a removed shop leaves its index: listed, then deleted with --prune
    shutil.rmtree(shops_dir / "good")
    where = ["--shops-dir", str(shops_dir), "--data-dir", str(data)]
    listed = runner.invoke(cli, ["shops", *where])
    assert "index shop-good-knowledge: left by a removed shop" in listed.output
    pruned = runner.invoke(cli, ["shops", *where, "--prune"])
    assert pruned.exit_code == 0 and "index shop-good-knowledge: deleted" in pruned.output
    assert "shop-good-knowledge" not in runner.invoke(cli, ["shops", *where]).output


def test_keys_file_binds_keys_to_shops_and_names_a_bad_line(tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("k-all\nk-two shop-a,shop-b\nk-one  shop-c\n", "utf-8")
    settings = make_settings(tmp_path, api_keys_file=keys)
    assert settings.key_shops() == {
        "k-all": None,
        "k-two": frozenset({"shop-a", "shop-b"}),
        "k-one": frozenset({"shop-c"}),
    }
    keys.write_text("k-all\nk-bad shop/a\n", "utf-8")
    with pytest.raises(ConfigError, match="line 2.*'shop/a' is not a shop id"):
        make_settings(tmp_path, api_keys_file=keys).key_shops()


def test_collections_are_valid_chroma_names_for_every_shop_id():
    import re

    for shop in ("a", "_", "-x-", "A_1", "x" * 64):
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]", collection_for(shop))


def test_cli_commands_take_the_shop(shops):
    runner = CliRunner()
    where = ["--shops-dir", str(shops / "shops"), "--data-dir", str(shops / "data")]
    drafted = runner.invoke(cli, ["draft", "几天发货", *where, "--shop", "shop-b", "--json"])
    assert drafted.exit_code == 0, drafted.output
    assert "48小时" in drafted.output and "24小时" not in drafted.output
    found = runner.invoke(cli, ["search", "从哪个仓发货", *where, "--shop", "shop-a", "--json"])
    assert found.exit_code == 0 and "杭州仓" in found.output and "成都仓" not in found.output
    unnamed = runner.invoke(cli, ["draft", "几天发货", *where])
    assert unnamed.exit_code == 1 and "shop-a, shop-b" in unnamed.output
    coverage = runner.invoke(cli, ["coverage", *where, "--shop", "shop-b", "--format", "csv"])
    assert coverage.exit_code == 0, coverage.output
    report = runner.invoke(cli, ["report", *where, "--shop", "shop-a", "--format", "csv"])
    assert report.exit_code == 0, report.output
    unknown = runner.invoke(cli, ["report", *where, "--shop", "shop-z"])
    assert unknown.exit_code == 1 and "'shop-z'" in unknown.output


def test_feedback_on_a_response_from_before_shops_is_refused_by_name(client, shops):
    from copilot.feedback.store import FeedbackStore
    from copilot.schemas import DraftResponse

    legacy = DraftResponse(
        intent="shipping",
        stage="presale",
        emotion="calm",
        urgency="low",
        escalate={"needed": False},
        request_id="legacy-response-1",
        drafts=[],
        mode="offline",
        latency_ms=1.0,
        knowledge_gap=False,
    )
    FeedbackStore(shops / "data" / "feedback.sqlite3").record_draft("几天发货", legacy)
    body = {"request_id": "legacy-response-1", "draft_index": 0, "action": "accepted"}
    refused = post(client, "/v1/feedback", body)
    assert refused.status_code == 404 and "before this deployment served" in refused.text
