"""The console and analytics page in a real headless Chromium (Debian's, driven by Playwright).

Screenshots go to test-artifacts/. Nothing downloads a browser: without /usr/bin/chromium
(the README's test command installs it) these tests are skipped, saying why.
"""

import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from copilot.api.app import create_app
from copilot.container import build_copilot
from copilot.feedback.store import FeedbackStore
from tests.conftest import free_port, make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@contextmanager
def live_server(copilot=None, app=None):
    """The real app served by uvicorn on a loopback port, in a thread."""
    port = free_port()
    config = uvicorn.Config(
        app or create_app(copilot=copilot), host="127.0.0.1", port=port, log_level="warning"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    while not instance.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


def copilot_with_own_feedback(bundled_copilot, folder: Path, **settings):
    copilot = build_copilot(
        make_settings(folder, data_dir=bundled_copilot.settings.data_dir, **settings)
    )
    copilot._feedback = FeedbackStore(folder / "feedback.sqlite3")
    return copilot


@pytest.fixture(scope="module")
def server(bundled_copilot, tmp_path_factory):
    """The app with a feedback database of its own."""
    folder = tmp_path_factory.mktemp("browser")
    with live_server(copilot_with_own_feedback(bundled_copilot, folder)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_agent_gets_drafts_copies_accepts_edits_and_sees_analytics(page, server):
    page.goto(server + "/")
    page.fill("#message", "你们这些骗子，收到的衣服破了个洞，我要投诉！！")
    page.click("#submit")
    page.wait_for_selector("[data-draft='0']")
    assert "请转资深客服" in page.inner_text("#escalation")
    intent = page.inner_text("[data-badge='intent']")
    assert "质量问题" in intent or "投诉" in intent  # Chinese labels, never codes
    assert "quality_issue" not in page.inner_text("#result")
    assert "愤怒" in page.inner_text("[data-badge='emotion']")
    assert page.locator("[data-draft]").count() >= 2
    page.click("[data-draft='0'] summary")  # a citation opens to show its source
    shot(page, "console-drafts")

    page.click("[data-draft='0'] [data-action='copy']")
    first = page.inner_text("[data-draft='0'] .text")
    assert page.evaluate("navigator.clipboard.readText()") == first
    page.click("[data-draft='0'] [data-action='accept']")
    page.wait_for_selector("[data-draft='0'] .status:has-text('已采纳')")

    page.click("[data-draft='1'] [data-action='edit']")
    page.fill("[data-draft='1'] [data-edit='text']", "亲，这是全网最好的处理方案，加我微信详聊")
    page.click("[data-draft='1'] [data-action='submit-edit']")
    page.wait_for_selector("[data-draft='1'] [data-edit='report'] mark")
    marked = page.locator("[data-draft='1'] [data-edit='report'] mark").all_inner_texts()
    assert "最好" in marked and "加我微信" in marked
    assert "请修改" in page.inner_text("[data-draft='1'] .status")
    shot(page, "console-edit-highlighted")
    page.fill(
        "[data-draft='1'] [data-edit='text']",
        "非常抱歉，衣服有破洞属于质量问题，我们承担运费给您退换。",
    )
    page.click("[data-draft='1'] [data-action='submit-edit']")
    page.wait_for_selector("[data-draft='1'] .status:has-text('已记录修改')")

    page.goto(server + "/analytics")
    page.wait_for_selector("tr[data-intent]")
    row = page.locator("tr[data-intent]").first.inner_text()
    assert "50.0%" in row  # one accepted, one edited: half of this intent's drafts needed a human
    assert "需补充知识" in row
    shot(page, "analytics")


def test_check_my_reply_highlights_spans_with_category_and_replacement(page, server):
    page.goto(server + "/")
    page.fill("#own-reply", "亲，这款是全网最好的，加我薇❤信 返现5元")
    page.click("#check")
    page.wait_for_selector("#check-result mark")
    assert page.locator("#check-result mark").all_inner_texts() == ["最好", "加我薇❤信", "返现"]
    text = page.inner_text("#check-result")
    assert "absolute_terms" in text and "很好" in text and "review_manipulation" in text
    shot(page, "check-my-reply")


def test_highlights_land_on_the_hit_after_emoji(page, server):
    page.goto(server + "/")
    page.fill("#own-reply", "😀😀🎁亲，这款是全网最好的😀加我薇信")
    page.click("#check")
    page.wait_for_selector("#check-result mark")
    assert page.locator("#check-result mark").all_inner_texts() == ["最好", "加我薇信"]


def test_shortcuts_draft_copy_accept_and_clear(page, server):
    page.goto(server + "/")
    assert "Ctrl+Enter" in page.inner_text("#shortcuts")
    page.fill("#message", "能发顺丰吗")
    page.press("#message", "Control+Enter")
    page.wait_for_selector("[data-draft='0']")
    page.keyboard.press("Alt+1")
    page.wait_for_selector("[data-draft='0'] .status:has-text('已复制')")
    assert page.evaluate("navigator.clipboard.readText()") == page.inner_text(
        "[data-draft='0'] .text"
    )
    page.keyboard.press("Alt+Shift+1")
    page.wait_for_selector("[data-draft='0'] .status:has-text('已采纳')")
    page.keyboard.press("Alt+N")
    assert page.input_value("#message") == "" and page.locator("#result").is_hidden()


def test_pasted_workbench_history_becomes_turns(page, server):
    page.goto(server + "/")
    pasted = (
        "tb_小美 2026-11-30 10:21:33\n这件外套有M码吗\n我165\n"
        "客服小禾 2026-11-30 10:21:50\n有的亲，M码有货\n"
        "tb_小美 10:22\n那能发顺丰吗"
    )
    turns = page.evaluate("text => parseHistory(text)", pasted)
    assert turns == [
        {"role": "customer", "text": "这件外套有M码吗\n我165"},
        {"role": "agent", "text": "有的亲，M码有货"},
        {"role": "customer", "text": "那能发顺丰吗"},
    ]
    assert page.evaluate("t => parseHistory(t)", "顾客：在吗\n客服：在的") == [
        {"role": "customer", "text": "在吗"},
        {"role": "agent", "text": "在的"},
    ]


def test_analytics_shows_coverage_in_chinese(page, server):
    page.goto(server + "/")
    page.fill("#message", "能开增值税专用发票吗")
    page.click("#submit")
    page.wait_for_selector("[data-draft='0']")
    page.goto(server + "/analytics")
    page.wait_for_selector("tr[data-coverage]")
    table = page.inner_text("#coverage")
    assert "本店话术" in table and "售前" in table and "讲价" in table
    assert not re.search(r"[a-z_]{4,}", table)  # no intent or situation codes (bargain)
    assert page.locator("#write-next li").count() >= 1
    assert not re.search(r"[a-z_]{4,}", page.inner_text("#write-next"))
    assert page.locator("[data-trend]").count() == 5  # requests, acceptance, intervention...
    assert page.locator("[data-trend='requests'] svg circle").count() >= 1
    assert "请求（每天" in page.inner_text("[data-trend='requests']")
    shot(page, "analytics-trends-coverage")


def test_console_keeps_the_api_key_for_the_session(browser, bundled_copilot, tmp_path):
    copilot = copilot_with_own_feedback(bundled_copilot, tmp_path, api_keys="k-123")
    with live_server(copilot) as base:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(base + "/")
            page.fill("#message", "能发顺丰吗")
            page.click("#submit")
            page.wait_for_selector("#request-error:has-text('401')")
            page.fill("#api-key", "k-123")
            page.dispatch_event("#api-key", "change")
            page.reload()
            assert page.input_value("#api-key") == "k-123"
            page.fill("#message", "能发顺丰吗")
            page.click("#submit")
            page.wait_for_selector("[data-draft='0']")
        finally:
            context.close()


def test_a_draft_from_the_built_in_playbook_is_labelled_as_such(page, server):
    page.goto(server + "/")
    page.fill("#message", "能帮我包装成礼物吗 送女朋友的")
    page.click("#submit")
    page.wait_for_selector("[data-draft='1']")
    assert page.locator("[data-draft='0'] [data-badge='playbook']").count() == 0
    assert page.inner_text("[data-draft='1'] [data-badge='playbook']") == "通用话术"
    page.click("[data-draft='1'] summary")
    assert "内置通用话术" in page.inner_text("[data-draft='1'] details")


def test_shop_selector_drafts_for_the_chosen_shop_and_filters_analytics(browser, two_shops):
    from copilot.container import build_hub

    keys = two_shops / "browser-keys.txt"
    keys.write_text("k-both shop-a,shop-b\n", "utf-8")
    settings = make_settings(
        two_shops, shops_dir=two_shops / "shops", data_dir=two_shops / "data", api_keys_file=keys
    )
    with live_server(app=create_app(hub=build_hub(settings))) as base:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(base + "/")
            assert not page.is_visible("#shop")  # no key yet: nothing to choose from
            page.fill("#api-key", "k-both")
            page.dispatch_event("#api-key", "change")
            page.wait_for_selector("#shop:visible")
            assert page.locator("#shop option").all_inner_texts() == ["shop-a", "shop-b"]
            page.select_option("#shop", "shop-b")
            page.fill("#message", "几天发货")
            page.click("#submit")
            page.wait_for_selector("[data-draft='0']")
            text = page.inner_text("[data-draft='0'] .text")
            assert "48小时" in text and "24小时" not in text
            shot(page, "console-shop-selector")
            page.reload()  # the choice is kept for the session
            page.wait_for_selector("#shop:visible")
            assert page.input_value("#shop") == "shop-b"

            page.goto(base + "/analytics")
            page.wait_for_selector("#shop:visible")
            options = page.locator("#shop option").all_inner_texts()
            assert options == ["全部店铺", "shop-a", "shop-b"]
            page.wait_for_selector("tr[data-coverage]")  # shop-b's coverage
            page.select_option("#shop", "shop-a")
            requests = {
                shop: httpx.get(
                    f"{base}/v1/analytics",
                    params={"shop": shop},
                    headers={"Authorization": "Bearer k-both"},
                ).json()["requests"]
                for shop in ("shop-a", "shop-b")
            }
            assert requests["shop-b"] >= 1
            page.wait_for_function(
                f"document.querySelector('#cards b').textContent === '{requests['shop-a']}'"
            )
            page.select_option("#shop", "")
            page.wait_for_selector("#write-next li:has-text('选择一个店铺')")
        finally:
            context.close()
