"""Ablations of the understanding model: the README's transfer table comes from this script.

For each variant (shipped; no augmentation; no syllable n-grams; no product masking, in training
nor at serving; masking only at training) it trains the leave-one-category-out models and one
model on all the data, and scores leave-one-category-out, realistic set 2 (the gate) and
realistic set 1.

Run: .venv/bin/python bench/ablate_understanding.py [--variants shipped,no-augment,...]
Takes about 5 minutes per variant on 2 cores; prints a JSON table.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.index.embeddings.use_multilingual import UseMultilingualEmbeddings  # noqa: E402
from copilot.understand.analyzer import MessageAnalyzer  # noqa: E402
from copilot.understand.training import (  # noqa: E402
    EmbeddingCache,
    TrainingData,
    TrainOptions,
    fit,
)
from copilot.understand.transfer import (  # noqa: E402
    REALISTIC_SETS,
    RealisticSet,
    leave_one_category_out,
    realistic_predictions,
    score,
)

VARIANTS = {
    "shipped": (TrainOptions(), True),
    "no-augment": (TrainOptions(augment=False), True),
    "no-sounds": (TrainOptions(sound_weight=0.0), True),
    "no-mask": (TrainOptions(mask=False), False),
    "mask-in-training-only": (TrainOptions(), False),
}
FIELDS = ("intent_accuracy", "emotion_accuracy", "angry_precision", "angry_recall")


def realistic(encoder, model, name: str, mask: bool) -> dict:
    data = RealisticSet.load(name)
    unmasked = MessageAnalyzer(encoder, model)
    analyzers = {
        shop: MessageAnalyzer(encoder, model, catalog=lambda texts=texts: texts)
        for shop, texts in data.catalogs.items()
    }
    pick = analyzers.__getitem__ if mask else (lambda shop: unmasked)
    scores = score(realistic_predictions(pick, data))
    return {f: getattr(scores, f) for f in (*FIELDS, "escalation_recall")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    encoder = UseMultilingualEmbeddings(threads=2)
    cache = EmbeddingCache(encoder.encode)
    data = TrainingData.load()
    table = {}
    for name in args.variants.split(","):
        options, mask_at_serving = VARIANTS[name]
        loco = score(leave_one_category_out(data, cache, options))
        model = fit(data, cache, options)
        model.metadata["thresholds"] = {"escalate_angry": 0.2}
        row = {"loco": {f: getattr(loco, f) for f in FIELDS}}
        for set_name in REALISTIC_SETS:
            row[set_name] = realistic(encoder, model, set_name, mask_at_serving)
        table[name] = row
        print(name, json.dumps(row), file=sys.stderr, flush=True)
    print(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
