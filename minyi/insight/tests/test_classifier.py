"""The classifier's core without the data set: segmentation, a tiny corpus, files, calibration shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minyi.insight import classifier
from minyi.insight.tests.corpus_tiny import TINY


@pytest.fixture(scope="module")
def tiny_model() -> classifier.AppealClassifier:
    return classifier.train(TINY)


def test_tokenize_splits_a_chinese_sentence_into_words() -> None:
    words = classifier.tokenize("我想咨询一下A市住房公积金提取的问题。")
    assert {"咨询", "住房", "公积金", "提取", "问题"} <= set(words)
    assert "。" not in words


def test_masked_place_codes_are_dropped_but_real_names_kept() -> None:
    assert classifier.normalise("A市A3区  K9县西地省长沙市") == "市区 县长沙市"
    assert "A" not in classifier.tokenize("A市A3区的4S店")
    assert "4S" in classifier.normalise("A3区的4S店")


def test_tiny_corpus_predicts_the_obvious_category(tiny_model: classifier.AppealClassifier) -> None:
    cases = {
        ("路灯不亮", "我家楼下的路灯坏了，晚上太黑。"): "城乡建设",
        ("补课收费", "学校强制学生补课，还要交补课费。"): "教育文体",
        ("公交班次", "公交车等了一个小时，班次太少。"): "交通运输",
    }
    for (title, body), expected in cases.items():
        assert tiny_model.predict_top(title, body).label == expected, title


def test_predict_top_gives_k_ranked_confidences_and_the_words_why(
    tiny_model: classifier.AppealClassifier,
) -> None:
    prediction = tiny_model.predict_top("出租车拒载", "出租车司机拒载乘客，请整治出租车。", k=3)
    assert prediction.label == "交通运输"
    assert len(prediction.top) == 3
    confidences = [confidence for _, confidence in prediction.top]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= c <= 1 for c in confidences) and sum(confidences) <= 1.0001
    assert "出租车" in [word for word, _ in prediction.why]
    assert all(weight > 0 for _, weight in prediction.why)


def test_training_needs_two_categories() -> None:
    with pytest.raises(ValueError, match="two categories"):
        classifier.train([(title, body, "城乡建设") for title, body, _ in TINY[:6]])


def test_taxonomy_names_teach_words_no_label_used(tiny_model: classifier.AppealClassifier) -> None:
    # '快递' is nowhere in the tiny corpus; the taxonomy names '快递市场管理' under 交通运输.
    taxonomy = [("交通运输", "邮政管理", "快递市场管理"), ("教育文体", "考试招生", "招生录取")]
    seeded = classifier.train(TINY, taxonomy=taxonomy)
    assert seeded.metadata["taxonomy_seed_rows"] == 2
    assert seeded.predict_top("快递市场", "快递市场管理混乱，快递丢件无人管").label == "交通运输"


def test_self_training_adds_balanced_pseudo_labels() -> None:
    unlabelled = [(title, body) for title, body, _ in TINY] * 3
    design = classifier.Design("tiny-semi", min_df=1, self_training_per_class=2)
    model = classifier.train(TINY, unlabelled=unlabelled, design=design)
    assert model.metadata["pseudo_labelled_rows"] == 6  # 2 per predicted category
    assert model.metadata["unlabelled_rows"] == len(unlabelled)


def test_saved_model_loads_with_identical_predictions_and_metadata(
    tiny_model: classifier.AppealClassifier, tmp_path: Path
) -> None:
    path = tiny_model.save(tmp_path / classifier.default_model_name(tiny_model))
    loaded = classifier.load(path)
    texts = [(title, body) for title, body, _ in TINY] + [("路灯", "晚上路灯不亮"), ("考试", "中考招生")]
    assert loaded.predict_many(texts) == tiny_model.predict_many(texts)
    assert loaded.metadata == tiny_model.metadata
    metadata = loaded.metadata
    assert metadata["format_version"] == classifier.FORMAT_VERSION
    assert metadata["training_rows"] == len(TINY)
    assert metadata["classes"] == ["交通运输", "城乡建设", "教育文体"]
    assert {"scikit-learn", "numpy", "jieba"} <= set(metadata["libraries"])
    assert set(metadata["cv"]) >= {"macro_f1", "accuracy", "accuracy_at_half"}
    assert path.name == f"appeal-classifier-{metadata['version']}.joblib"
    assert metadata["version"].startswith(metadata["created_at"][:10].replace("-", ""))


def test_load_refuses_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    junk = tmp_path / "junk.joblib"
    junk.write_text("not a model")
    with pytest.raises(classifier.ModelFileError):
        classifier.load(junk)


def test_taxonomy_seeds_deeper_labels_written_as_paths() -> None:
    taxonomy = [
        ("交通运输", "邮政管理", "快递市场管理"),
        ("交通运输", "出租车管理", "其他"),
        ("教育文体", "考试招生", "招生录取"),
    ]
    seeds = classifier.taxonomy_docs(taxonomy, {"交通运输/邮政管理", "教育文体"})
    assert [(doc.title, label) for doc, label in seeds] == [
        ("快递市场管理", "交通运输/邮政管理"),
        ("招生录取", "教育文体"),
    ]


def test_fast_vectors_equal_scikit_learns_transform(tiny_model: classifier.AppealClassifier) -> None:
    docs = classifier.make_docs(
        [(title, body) for title, body, _ in TINY] + [("", ""), ("无关", "完全陌生的词")]
    )
    matrix = tiny_model.features.transform(docs).toarray()
    for row, (columns, values) in enumerate(tiny_model.features.vectors(docs)):
        fast = np.zeros(matrix.shape[1])
        fast[columns] = values
        assert np.allclose(fast, matrix[row]), row
    assert tiny_model.svm is not None
    assert np.allclose(
        tiny_model.scores(tiny_model.features.vectors(docs)),
        tiny_model.svm.decision_function(tiny_model.features.transform(docs)),
    )
