"""The BM25 index on its own."""

import numpy as np

from copilot.index.bm25 import BM25Index
from copilot.index.text import ChineseTokenizer, normalize


def test_rarer_matching_terms_score_higher():
    index = BM25Index([["退货", "运费"], ["退货", "时间"], ["发票", "抬头"]])
    scores = index.scores(["运费", "退货"])
    assert scores[0] > scores[1] > scores[2] == 0


def test_top_respects_the_allowed_mask_and_skips_zero_scores():
    index = BM25Index([["a", "b"], ["a"], ["c"]])
    assert [i for i, _ in index.top(["a"], 5)] == [1, 0]
    assert [i for i, _ in index.top(["a"], 5, allowed=np.array([True, False, True]))] == [0]
    assert index.top(["zzz"], 5) == []


def test_empty_index_scores_nothing():
    assert BM25Index([]).top(["a"], 3) == []


def test_tokenizer_keeps_product_words_and_drops_fillers():
    tokenizer = ChineseTokenizer(["法式碎花连衣裙", "HM-W001"])
    tokens = tokenizer.tokens("亲，HM-W001的法式碎花连衣裙能发顺丰吗？")
    assert "hm-w001" in tokens and "法式碎花连衣裙" in tokens and "顺丰" in tokens
    assert "亲" not in tokens and "吗" not in tokens and "？" not in tokens


def test_normalize_folds_width_case_and_traditional():
    assert normalize("ＡＢＣ發貨") == "abc发货"
