"""``manage.py insight evaluate|cv|train|hotspots``: measure and train the appeal classifier from CSV files,
and find hotspots in a CSV of messages.

- ``evaluate --train TRAIN.csv --test TEST.csv [--json]``: train on one labelled CSV, score another;
- ``cv --csv LABELLED.csv [--folds 5] [--repeats 3] [--design NAME …] [--json]``: cross-validate designs;
- ``nested --csv LABELLED.csv [--outer 5] [--inner 3] [--repeats 2] [--design NAME …]``: nested
  cross-validation of the choice among designs (default: all), one JSON object
  (``evaluation.nested_cross_validate``);
- ``train [--csv LABELLED.csv] [--no-labels] [--no-activate]``: train on the dispatchers' labels in the
  database and/or a CSV, register the new version and make it the active one; with ``--out PATH`` (and
  ``--csv``) only write a model file, without the database;
- ``replies --csv REPLIES.csv``: JSON report of reply scores and response times (minyi.insight.replies);
- ``reply-labels --csv REPLIES.csv [--labels LABELS.csv]``: JSON precision and recall of the reply check per
  element against the hand labels (docs/reply-check.md);
- ``models`` lists the registered versions; ``activate VERSION`` makes one active again (rollback);
- ``hotspots --csv MESSAGES.csv [--top N] [--json] [--gazetteer PLACES.txt]``: the hotspots, hottest
  first (minyi.insight.hotspots), their places from the gazetteer file (minyi.insight.gazetteer.read_file).
- ``duplicates --csv MESSAGES.csv [--json]``: the pairs of messages the duplicate decision flags
  (minyi.insight.duplicates, docs/duplicates.md).

Only ``train`` (without ``--out``), ``models`` and ``activate`` touch the database. Unless
``--unlabelled``/``--taxonomy`` are given (or ``--no-beside``), the public data set's unlabelled messages
and taxonomy are taken from the labelled CSV's directory, else from ``../shared/data/appeals`` beside the
checkout (docs/data.md); a note on stderr says which files were used."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minyi.insight import classifier, corpus, duplicates, evaluation, gazetteer, hotspots, registry, replies
from minyi.insight.models import ClassifierVersion
from minyi.insight.text import set_cache_dir


def shared_data_dir() -> Path:
    """The public data set's usual place (docs/data.md): ``../shared/data/appeals`` beside the checkout."""
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "appeals"


class Command(BaseCommand):
    help = "Evaluate, cross-validate or train the appeal classifier from CSV files (no database needed)."

    # The classifier reads files only: no checks that would need the database or every app's models.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="train on one labelled CSV and measure on another")
        evaluate.add_argument(
            "--train", required=True, metavar="CSV", help="labelled CSV (title, body, category)"
        )
        evaluate.add_argument("--test", required=True, metavar="CSV", help="labelled CSV to measure on")
        cv = sub.add_parser("cv", help="repeated stratified k-fold cross-validation on one labelled CSV")
        cv.add_argument("--csv", required=True, metavar="CSV", help="labelled CSV (title, body, category)")
        cv.add_argument("--folds", type=int, default=5)
        cv.add_argument("--repeats", type=int, default=3)
        cv.add_argument("--seed", type=int, default=0)
        nested = sub.add_parser(
            "nested", help="nested cross-validation of the choice among designs (JSON on stdout)"
        )
        nested.add_argument(
            "--csv", required=True, metavar="CSV", help="labelled CSV (title, body, category)"
        )
        nested.add_argument("--outer", type=int, default=5, help="outer folds (measure)")
        nested.add_argument("--inner", type=int, default=3, help="inner folds (choice of the design)")
        nested.add_argument("--repeats", type=int, default=2)
        nested.add_argument("--seed", type=int, default=0)
        train = sub.add_parser(
            "train", help="train on the stored labels and/or a CSV; register and activate the new version"
        )
        train.add_argument("--csv", metavar="CSV", help="labelled CSV (title, body, category)")
        train.add_argument("--no-labels", action="store_true", help="do not use the dispatchers' labels")
        train.add_argument(
            "--no-activate", action="store_true", help="register the version, keep the old one"
        )
        train.add_argument(
            "--out", metavar="PATH", help="only write this model file from --csv (no database, no registry)"
        )
        replies_parser = sub.add_parser("replies", help="score the replies of a CSV and their response times")
        replies_parser.add_argument(
            "--csv", required=True, metavar="CSV", help="id, title, body, reply, received_at, replied_at"
        )
        replies_parser.add_argument("--examples", type=int, default=10, help="weakest and strongest shown")
        labels_parser = sub.add_parser(
            "reply-labels", help="precision and recall of the reply check against hand-labelled replies"
        )
        labels_parser.add_argument(
            "--csv", required=True, metavar="CSV", help="the replies (id, title, body, reply)"
        )
        labels_parser.add_argument(
            "--labels", metavar="CSV", default=str(replies.LABELS_CSV), help="id, set and one 0/1 per element"
        )
        sub.add_parser("models", help="list the registered model versions")
        activate = sub.add_parser("activate", help="make a registered version the active one (rollback)")
        activate.add_argument("version", help="a version as `insight models` lists it")
        hot = sub.add_parser("hotspots", help="find the hotspots (热点) among the messages of a CSV")
        hot.add_argument(
            "--csv", required=True, metavar="CSV", help="messages (title, body, time, user, likes)"
        )
        hot.add_argument("--top", type=int, metavar="N", help="at most N hotspots, hottest first")
        hot.add_argument("--json", action="store_true", help="print one JSON list")
        hot.add_argument(
            "--gazetteer",
            metavar="FILE",
            help="the district's places, one a line: name[,kind[,township]] (kind: "
            + ", ".join(gazetteer.KINDS)
            + ")",
        )
        dup = sub.add_parser("duplicates", help="the pairs of messages of a CSV that are likely one appeal")
        dup.add_argument(
            "--csv", required=True, metavar="CSV", help="messages (id, user, title, received_at, body)"
        )
        dup.add_argument("--json", action="store_true", help="print one JSON list")
        for command in (evaluate, cv, nested, train):
            command.add_argument(
                "--unlabelled",
                action="append",
                default=[],
                metavar="CSV",
                help="unlabelled messages (title, body)",
            )
            command.add_argument("--taxonomy", metavar="CSV", help="category tree (level1, level2, level3)")
            command.add_argument(
                "--no-beside",
                action="store_true",
                help="do not look for unlabelled messages and taxonomy beside the CSV or in ../shared/data",
            )
            command.add_argument(
                "--design",
                action="append" if command in (cv, nested) else "store",
                choices=[*classifier.DESIGNS, *(["all"] if command in (cv, nested) else [])],
                help=f"model design (default: {classifier.DEFAULT_DESIGN.name})",
            )
            command.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "duplicates":
            self._duplicates(options)
            return
        if options["action"] == "hotspots":
            self._hotspots(options)
            return
        if options["action"] == "replies":
            if not Path(options["csv"]).is_file():
                raise CommandError(f"{options['csv']}: no such file")
            self.stdout.write(
                json.dumps(replies.report(options["csv"], examples=options["examples"]), ensure_ascii=False)
            )
            return
        if options["action"] == "reply-labels":
            for name in ("csv", "labels"):
                if not Path(options[name]).is_file():
                    raise CommandError(f"{options[name]}: no such file")
            figures = replies.label_figures(options["csv"], options["labels"])
            self.stdout.write(json.dumps({"name": "reply-labels", **figures}, ensure_ascii=False))
            return
        if options["action"] in ("models", "activate"):
            self._registry(options)
            return
        set_cache_dir(Path(settings.VAR_DIR) / "cache")
        action = options["action"]
        labelled_path = options["train"] if action == "evaluate" else options["csv"]
        try:
            if action == "train" and not labelled_path and (options["out"] or options["no_labels"]):
                raise CommandError("Give --csv: with --out or --no-labels it is the only source of labels.")
            unlabelled, taxonomy = self._extras(options, labelled_path) if labelled_path else ([], [])
            if action == "evaluate":
                result = evaluation.evaluate(
                    corpus.read_labelled(options["train"]),
                    corpus.read_labelled(options["test"]),
                    unlabelled=unlabelled,
                    taxonomy=taxonomy,
                    design=classifier.DESIGNS[options["design"] or classifier.DEFAULT_DESIGN.name],
                )
                self._print(result, options["json"], self._evaluate_text)
            elif action == "cv":
                self._cv(options, unlabelled, taxonomy)
            elif action == "nested":
                self._nested(options, unlabelled, taxonomy)
            else:
                self._train(options, unlabelled, taxonomy)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except (corpus.CorpusError, ValueError) as error:
            raise CommandError(str(error)) from error

    def _extras(
        self, options: dict[str, Any], labelled: str
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
        """The unlabelled messages and taxonomy rows: as given, else found beside the labelled CSV or in
        the shared data directory beside the checkout (where the public data set lives)."""
        unlabelled_paths: list[Path] = [Path(path) for path in options["unlabelled"]]
        taxonomy_path: Path | None = Path(options["taxonomy"]) if options["taxonomy"] else None
        if not options["no_beside"] and (not unlabelled_paths or taxonomy_path is None):
            found_unlabelled, found_taxonomy = corpus.beside(
                labelled, exclude=(options.get("test") or labelled,), also=(shared_data_dir(),)
            )
            where = f"beside {labelled} or in {shared_data_dir()}"
            if not unlabelled_paths:
                unlabelled_paths = found_unlabelled
                if not found_unlabelled:
                    self._note(
                        f"no {' or '.join(corpus.UNLABELLED_NAMES)} {where}: vocabulary from the "
                        "labelled rows alone (give --unlabelled CSV)"
                    )
            if taxonomy_path is None:
                taxonomy_path = found_taxonomy
                if found_taxonomy is None:
                    self._note(f"no {corpus.TAXONOMY_NAME} {where}: no taxonomy seeds (give --taxonomy)")
        unlabelled = [text for path in unlabelled_paths for text in corpus.read_texts(path)]
        taxonomy = corpus.read_taxonomy(taxonomy_path) if taxonomy_path else []
        used = [str(path) for path in unlabelled_paths] + ([str(taxonomy_path)] if taxonomy_path else [])
        if used:
            self._note(
                f"using {len(unlabelled)} unlabelled messages and {len(taxonomy)} taxonomy rows "
                f"from {', '.join(used)}"
            )
        return unlabelled, taxonomy

    def _cv(
        self, options: dict[str, Any], unlabelled: list[tuple[str, str]], taxonomy: list[tuple[str, str, str]]
    ) -> None:
        names = options["design"] or [classifier.DEFAULT_DESIGN.name]
        if "all" in names:
            names = list(classifier.DESIGNS)
        if options["folds"] < 2 or options["repeats"] < 1:
            raise CommandError("--folds must be at least 2 and --repeats at least 1.")
        rows = corpus.read_labelled(options["csv"])
        results = []
        for name in names:
            result = evaluation.cross_validate(
                rows,
                unlabelled=unlabelled,
                taxonomy=taxonomy,
                design=classifier.DESIGNS[name],
                folds=options["folds"],
                repeats=options["repeats"],
                seed=options["seed"],
            )
            results.append(result)
            if not options["json"]:
                self.stdout.write(self._cv_text(result))
        if options["json"]:
            self.stdout.write(json.dumps(results[0] if len(results) == 1 else results, ensure_ascii=False))

    def _nested(
        self, options: dict[str, Any], unlabelled: list[tuple[str, str]], taxonomy: list[tuple[str, str, str]]
    ) -> None:
        names = options["design"] or ["all"]
        # DESIGNS is ordered simplest first, which the choice's tie rule relies on.
        designs = [design for name, design in classifier.DESIGNS.items() if "all" in names or name in names]
        if options["outer"] < 2 or options["inner"] < 2 or options["repeats"] < 1:
            raise CommandError("--outer and --inner must be at least 2 and --repeats at least 1.")
        result = evaluation.nested_cross_validate(
            corpus.read_labelled(options["csv"]),
            designs=designs,
            unlabelled=unlabelled,
            taxonomy=taxonomy,
            outer_folds=options["outer"],
            inner_folds=options["inner"],
            repeats=options["repeats"],
            seed=options["seed"],
            progress=self._note,
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _train(
        self, options: dict[str, Any], unlabelled: list[tuple[str, str]], taxonomy: list[tuple[str, str, str]]
    ) -> None:
        design = classifier.DESIGNS[options["design"] or classifier.DEFAULT_DESIGN.name]
        rows = corpus.read_labelled(options["csv"]) if options["csv"] else []
        if not options["out"]:
            version = registry.train(
                csv_rows=rows,
                use_labels=not options["no_labels"],
                extra_unlabelled=unlabelled,
                taxonomy=taxonomy or None,
                design=design,
                activate=not options["no_activate"],
                sources=str(options["csv"] or ""),
            )
            summary = {"path": str(registry.models_dir() / version.file), "active": version.is_active}
            self._print({**summary, **version.metadata}, options["json"], self._train_text)
            return
        model = classifier.train(rows, unlabelled=unlabelled, taxonomy=taxonomy, design=design)
        model.metadata["sources"] = {
            "labelled": [str(options["csv"])],
            "unlabelled_rows": len(unlabelled),
            "taxonomy_rows": len(taxonomy),
        }
        out = Path(options["out"])
        model.save(out)
        summary = {"path": str(out), **model.metadata}
        self._print(summary, options["json"], self._train_text)

    def _registry(self, options: dict[str, Any]) -> None:
        if options["action"] == "activate":
            version = ClassifierVersion.objects.filter(version=options["version"]).first()
            if version is None:
                raise CommandError(f"No version {options['version']!r}; `insight models` lists them.")
            try:
                registry.activate_version(version, actor=None, check=False)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(f"{version.version} is now the active model.")
            return
        for version in ClassifierVersion.objects.all():
            cv = version.metadata.get("cv") or {}
            measured = (
                f"accuracy {cv['accuracy']:.3f}, macro-F1 {cv['macro_f1']:.3f}" if cv else "not measured"
            )
            mark = "*" if version.is_active else " "
            self.stdout.write(
                f"{mark} {version.version}  {version.trained_at:%Y-%m-%d %H:%M}  "
                f"{version.training_rows} labels  {measured}  ({version.sources})"
            )

    def _hotspots(self, options: dict[str, Any]) -> None:
        if options["top"] is not None and options["top"] < 1:
            raise CommandError("--top must be at least 1.")
        if not Path(options["csv"]).is_file():
            raise CommandError(f"{options['csv']}: no such file")
        try:
            # Written whole: the command's stdout wrapper would end each piece of json.dump with a newline.
            buffer = io.StringIO()
            places = gazetteer.read_file(options["gazetteer"]) if options["gazetteer"] else None
            hotspots.run_cli(
                options["csv"], options["top"], buffer, as_json=options["json"], gazetteer=places
            )
        except corpus.CorpusError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(buffer.getvalue(), ending="")

    def _duplicates(self, options: dict[str, Any]) -> None:
        if not Path(options["csv"]).is_file():
            raise CommandError(f"{options['csv']}: no such file")
        try:
            pairs = duplicates.scan(duplicates.read_messages(options["csv"]))
        except corpus.CorpusError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps([pair.as_json() for pair in pairs], ensure_ascii=False))
            return
        for pair in pairs:
            self.stdout.write(f"{pair.a}\t{pair.b}\t{pair.verdict.score:.2f}\t{pair.verdict.describe()}")
        self.stdout.write(f"{len(pairs)} pairs")

    def _print(self, data: dict[str, Any], as_json: bool, text: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False) if as_json else text(data))

    @staticmethod
    def _note(message: str) -> None:
        # Notes go to stderr so that --json output stays one clean object on stdout.
        print(f"insight: {message}", file=sys.stderr)

    @staticmethod
    def _evaluate_text(result: dict[str, Any]) -> str:
        lines = [
            f"macro-F1 {result['macro_f1']:.4f}, accuracy {result['accuracy']:.4f}, "
            f"accuracy on the surest half {result['accuracy_at_half']:.4f}",
            f"{result['train_rows']} training rows, {result['test_rows']} test rows, {result['seconds']} s",
        ]
        for label, figures in result["per_class"].items():
            lines.append(
                f"  {label}: P {figures['precision']:.3f} R {figures['recall']:.3f} "
                f"F1 {figures['f1']:.3f} (n={figures['support']})"
            )
        return "\n".join(lines)

    @staticmethod
    def _cv_text(result: dict[str, Any]) -> str:
        figures = ", ".join(
            f"{key} {result[key]['mean']:.4f} ± {result[key]['sd']:.4f}"
            for key in ("macro_f1", "accuracy", "accuracy_at_half")
        )
        return f"{result['design']}: {figures} ({result['folds']}×{result['repeats']}, {result['seconds']} s)"

    @staticmethod
    def _train_text(summary: dict[str, Any]) -> str:
        cv = summary.get("cv") or {}
        measured = (
            f"cross-validated macro-F1 {cv['macro_f1']:.4f}, accuracy {cv['accuracy']:.4f}, "
            f"accuracy on the surest half {cv['accuracy_at_half']:.4f}"
            if cv
            else "too few labels per category to cross-validate"
        )
        return (
            f"{summary['path']}\nversion {summary['version']}: {summary['training_rows']} labelled rows, "
            f"{summary['pseudo_labelled_rows']} pseudo-labelled, {len(summary['classes'])} categories; "
            f"{measured}; {summary['training_seconds']} s"
        )
