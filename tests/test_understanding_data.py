"""The labelled data behind the understanding models: coverage, separation, validation."""

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.errors import TrainingDataError
from copilot.knowledge.taxonomy import INTENTS
from copilot.understand.dataset import DATA_DIR, GENERIC, load_risk_examples, load_utterances
from copilot.understand.textprep import prepare
from copilot.understand.training import TrainingData
from copilot.understand.transfer import RealisticSet
from tests.conftest import RISK_SETS, risk_rows

PHENOMENA = {
    "no_punctuation",
    "run_on",
    "multi_sentence",
    "profanity",
    "sarcasm",
    "threat",
    "quitting",
    "typo",
    "traditional",
    "emoji",
    "item_number",
    "follow_up",
}


@pytest.fixture(scope="module")
def utterances():
    return load_utterances()


def test_training_data_covers_categories_intents_and_feelings(utterances):
    assert len(utterances) >= 3000
    categories = {u.category for u in utterances} - {GENERIC}
    assert len(categories) >= 15
    assert set(INTENTS) == {u.intent for u in utterances}
    emotions = Counter(u.emotion for u in utterances)
    assert emotions["angry"] >= 600 and emotions["anxious"] >= 600
    assert all(u.source for u in utterances)


def test_every_phenomenon_of_real_chat_is_tagged(utterances):
    tags = Counter(tag for u in utterances for tag in u.tags)
    assert {tag for tag in PHENOMENA if tags[tag] < 10} == set(), tags
    follow_ups = [u for u in utterances if "follow_up" in u.tags]
    assert all(u.previous for u in follow_ups)


# shops of each realistic set whose category the training data does have rows of
SEEN_CATEGORY_SHOPS = {
    "realistic-1": {"nuts_shop", "phones_shop", "clothing_shop", "baby_shop"},
    "realistic-2": {"seafood_shop", "skincare_shop"},
}


@pytest.mark.parametrize(("name", "unseen"), [("realistic-1", 5), ("realistic-2", 8)])
def test_realistic_sets_are_separate_from_the_training_data(utterances, name, unseen):
    realistic = RealisticSet.load(name)
    assert len(realistic.messages) >= 400
    trained = {prepare(u.text) for u in utterances}
    assert not trained & {prepare(m.text) for m in realistic.messages}
    shops = {m.shop for m in realistic.messages}
    assert len(shops - SEEN_CATEGORY_SHOPS[name]) >= unseen


@pytest.mark.parametrize("folder", RISK_SETS)
def test_risk_test_sets_are_separate_from_the_risk_training_data(folder):
    trained = {prepare(r.text) for r in load_risk_examples()}
    attacks, ordinary = risk_rows(folder, "attacks.jsonl"), risk_rows(folder, "ordinary.jsonl")
    assert len(attacks) >= 150 and len(ordinary) >= 300
    assert not trained & {prepare(r["text"]) for r in attacks + ordinary}


def _copy_data(tmp_path):
    import shutil

    target = tmp_path / "data"
    shutil.copytree(DATA_DIR / "risk", target / "risk")
    shutil.copy(DATA_DIR / "catalogs.yaml", target / "catalogs.yaml")
    (target / "utterances").mkdir()
    rows = (DATA_DIR / "utterances" / "tea.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    return target, rows


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda row: {**row, "intent": "haggling"}, "line 3: field 'intent'"),
        (lambda row: {**row, "text": "   "}, "line 3: field 'text'"),
        (lambda row: {**row, "id": "tea-0001"}, "line 3: id 'tea-0001' is also used at"),
        (lambda row: {**row, "category": "spaceships"}, "line 3: field 'category'"),
    ],
)
def test_bad_training_data_fails_training_naming_file_and_row(tmp_path, change, expected):
    target, rows = _copy_data(tmp_path)
    rows[2] = json.dumps(change(json.loads(rows[2])), ensure_ascii=False)
    (target / "utterances" / "tea.jsonl").write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(TrainingDataError, match="no model was written") as raised:
        TrainingData.load(target)
    assert expected in str(raised.value)
    output = tmp_path / "model.npz"
    result = CliRunner().invoke(app, ["train", "--data", str(target), "--output", str(output)])
    assert result.exit_code == 1 and expected in result.output and not output.exists()


def test_sample_shops_golden_messages_are_not_training_rows(utterances):
    from copilot.config import REPO_DIR

    trained = {prepare(u.text) for u in utterances}
    for golden in sorted((REPO_DIR / "eval" / "shops").glob("*.jsonl")):
        rows = [json.loads(line) for line in golden.open(encoding="utf-8") if line.strip()]
        assert rows and not trained & {prepare(r["message"]) for r in rows}, golden.name
