"""``manage.py insight``: evaluate, cv and train from CSV files (only train, models and activate touch
the database).

These tests take no ``db`` fixture: pytest-django fails any query, so passing proves no database use."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minyi.insight import classifier, corpus
from minyi.insight.management.commands import insight as insight_command
from minyi.insight.tests.corpus_tiny import TINY

EVALUATE_KEYS = {
    "macro_f1",
    "accuracy",
    "accuracy_at_half",
    "per_class",
    "train_rows",
    "test_rows",
    "seconds",
}


@pytest.fixture(autouse=True)
def _no_shared_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The command's last resort is the real data beside the checkout: these tests use their own files."""
    monkeypatch.setattr(insight_command, "shared_data_dir", lambda: tmp_path / "no-shared-data")


def write_csv(path: Path, rows: list[tuple[str, str, str]], extra: bool = True) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "user", "title", "received_at", "body", "category"]
            if extra
            else ["title", "body", "category"]
        )
        for number, (title, body, category) in enumerate(rows, 1):
            writer.writerow(
                [number, "A0001", title, "2020-01-01 10:00:00", body, category]
                if extra
                else [title, body, category]
            )
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("insight", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    train = write_csv(tmp_path / "train.csv", [row for i, row in enumerate(TINY) if i % 6 != 5])
    test = write_csv(tmp_path / "test.csv", [row for i, row in enumerate(TINY) if i % 6 == 5], extra=False)
    return train, test


def test_evaluate_prints_every_figure_as_json(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    train, test = files
    out, _ = run("evaluate", "--train", str(train), "--test", str(test), "--json")
    result = json.loads(out)
    assert set(result) == EVALUATE_KEYS
    assert result["train_rows"] == 15 and result["test_rows"] == 3
    assert set(result["per_class"]["教育文体"]) == {"precision", "recall", "f1", "support"}
    assert 0 <= result["accuracy_at_half"] <= 1
    # Nothing but the JSON object on stdout; the note about missing unlabelled files goes to stderr.
    assert "no messages-with-votes.csv" in capsys.readouterr().err


def test_evaluate_uses_unlabelled_and_taxonomy_found_beside_the_training_csv(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    train, test = files
    with open(train.parent / "messages-with-votes.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "likes"])
        writer.writerows([[i, title, body, 0] for i, (title, body, _) in enumerate(TINY)])
    write_csv(train.parent / "taxonomy.csv", [])  # wrong columns: must fail loudly, not be ignored
    with pytest.raises(CommandError, match="missing column"):
        run("evaluate", "--train", str(train), "--test", str(test), "--json")
    (train.parent / "taxonomy.csv").write_text("level1,level2,level3\n交通运输,邮政管理,快递市场管理\n")
    out, _ = run("evaluate", "--train", str(train), "--test", str(test), "--json")
    assert set(json.loads(out)) == EVALUATE_KEYS
    assert "using 18 unlabelled messages and 1 taxonomy rows" in capsys.readouterr().err


def test_cv_prints_mean_and_sd(files: tuple[Path, Path]) -> None:
    train, _ = files
    out, _ = run("cv", "--csv", str(train), "--folds", "2", "--repeats", "1", "--no-beside", "--json")
    result = json.loads(out)
    assert result["design"] == classifier.DEFAULT_DESIGN.name
    assert set(result["macro_f1"]) == {"mean", "sd", "min"}


def test_train_writes_a_versioned_model_file(files: tuple[Path, Path], tmp_path: Path) -> None:
    train, _ = files
    out, _ = run("train", "--csv", str(train), "--out", str(tmp_path / "m.joblib"), "--no-beside", "--json")
    summary = json.loads(out)
    model = classifier.load(summary["path"])
    assert model.metadata["version"] == summary["version"]
    assert model.metadata["training_rows"] == 15


def test_train_without_labels_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="--csv"):
        run("train", "--no-labels")
    with pytest.raises(CommandError, match="--csv"):
        run("train", "--out", "m.joblib")


@pytest.mark.django_db
def test_train_from_an_empty_label_table_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"two categories|两个分类"):
        run("train")


def test_unreadable_csv_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("id,text\n1,x\n")
    with pytest.raises(CommandError, match="missing column"):
        run("evaluate", "--train", str(tmp_path / "t.csv"), "--test", str(tmp_path / "t.csv"))
    with pytest.raises(CommandError, match="two categories"):
        run("evaluate", "--train", str(write_csv(tmp_path / "e.csv", [])), "--test", str(tmp_path / "e.csv"))


@pytest.mark.django_db
def test_train_registers_a_version_under_var_models_and_activate_rolls_back(
    files: tuple[Path, Path], tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    settings.VAR_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    train, _ = files
    out, _ = run("train", "--csv", str(train), "--no-beside", "--json")
    first = json.loads(out)
    path = Path(first["path"])
    assert path.parent == tmp_path / "var" / "models" and first["active"]
    assert path.name == f"appeal-classifier-{classifier.load(path).metadata['version']}.joblib"
    second = json.loads(run("train", "--csv", str(train), "--no-beside", "--json")[0])
    listed, _ = run("models")
    assert f"* {second['version']}" in listed and f"  {first['version']}" in listed
    run("activate", first["version"])
    assert f"* {first['version']}" in run("models")[0]
    with pytest.raises(CommandError, match="No version"):
        run("activate", "nonsense")


def test_evaluate_falls_back_to_the_shared_data_directory(
    files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shared = tmp_path / "shared-appeals"
    shared.mkdir()
    (shared / "taxonomy.csv").write_text("level1,level2,level3\n交通运输,邮政管理,快递市场管理\n")
    (shared / "messages-with-replies.csv").write_text("id,title,body,reply\n1,路灯坏了,晚上很黑,已修\n")
    monkeypatch.setattr(insight_command, "shared_data_dir", lambda: shared)
    train, test = files
    run("evaluate", "--train", str(train), "--test", str(test), "--json")
    assert f"using 1 unlabelled messages and 1 taxonomy rows from {shared}" in capsys.readouterr().err


def test_the_test_csv_is_never_taken_for_unlabelled_messages(tmp_path: Path) -> None:
    test = write_csv(tmp_path / "messages-with-votes.csv", TINY)
    train = write_csv(tmp_path / "train.csv", TINY)
    assert corpus.beside(train, exclude=(test,)) == ([], None)
    assert corpus.beside(train) == ([test], None)


def test_replies_reports_scores_and_working_days(tmp_path: Path) -> None:
    path = tmp_path / "replies.csv"
    path.write_text(
        "id,title,body,reply,received_at,replied_at\n"
        "1,路灯坏了,东村路灯坏了三个月,经查东村三组路灯线路老化，我局已于5月8日更换路灯三盏，现已恢复照明。,"
        "2026-05-04 09:00:00,2026-05-08 10:00:00\n"
        "2,噪音扰民,工地夜间施工,已收悉。,2026-05-04 09:00:00,2026-05-20 10:00:00\n",
        encoding="utf-8",
    )
    result = json.loads(run("replies", "--csv", str(path))[0])
    assert result["replies"] == 2 and result["weak"] >= 1
    assert result["response_working_days"]["min"] <= 4
    with pytest.raises(CommandError, match="no such file"):
        run("replies", "--csv", str(tmp_path / "missing.csv"))
