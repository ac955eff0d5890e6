"""``manage.py train_extractor [--cv K] [--from-reviews]``: train the extractor's learned decisions.

Reads the annotated folders (gold + texts), trains the three models of ``sources/extraction/learned.py``
and writes ``sources/extraction/model.json``: the same folders give the same bytes. With ``--cv K``
it writes nothing shipped: each page is extracted by a model trained on the other folds, and the
predictions (JSON Lines, the ``extract`` command's format) go to ``--predictions`` for the scorer.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sources.extraction import VERSION, learned, training

SHARED = Path(settings.BASE_DIR).parent / "shared" / "eval"


class Command(BaseCommand):
    help = "Train the extractor's decisions on annotated pages (and reviewed deals); --cv K cross-validates."

    def add_arguments(self, parser):
        parser.add_argument("--gold", type=Path, default=SHARED / "real" / "gold", help="folder of NAME.gold.json")
        parser.add_argument("--texts", type=Path, default=Path(settings.BASE_DIR) / "eval-texts" / "real",
                            help="folder of NAME.txt for --gold")  # fmt: skip
        parser.add_argument("--dev", type=Path, action="append", default=None,
                            help="more annotated folders (gold beside its texts); default: ../shared/eval/dev")  # fmt: skip
        parser.add_argument("--out", type=Path, default=learned.MODEL_PATH, help="where the model goes")
        parser.add_argument("--cv", type=int, default=0, metavar="K", help="K-fold cross-validation by page")
        parser.add_argument("--predictions", type=Path, default=Path("/tmp/real-cv.jsonl"),
                            help="with --cv: where the out-of-fold predictions go")  # fmt: skip
        parser.add_argument("--from-reviews", action="store_true",
                            help="add the deals reviewers approved (with their corrections) as training pages")  # fmt: skip

    def handle(self, *args, **options):
        pages = training.load_pages(options["gold"], options["texts"]) if options["gold"].is_dir() else []
        extra: list[training.Page] = []
        for folder in options["dev"] if options["dev"] is not None else [SHARED / "dev"]:
            if folder.is_dir():
                extra += training.load_pages(folder)
        if options["from_reviews"]:
            from deals.learning import reviewed_pages

            extra += reviewed_pages()
        if not pages and not extra:
            raise CommandError("no annotated pages found (give --gold/--texts or --dev)")
        self.stderr.write(f"{len(pages)} pages from {options['gold']}, {len(extra)} more")
        for p in pages + extra:
            p.read()
        unreadable = [p.name for p in pages + extra if p.error]
        if unreadable:
            self.stderr.write(f"unreadable, left out: {', '.join(unreadable)}")
        if options["cv"]:
            if options["cv"] < 2 or not pages:
                raise CommandError("--cv needs K >= 2 and the --gold pages")
            predictions = training.cross_validate(pages, k=options["cv"], extra=extra, version=VERSION)
            with options["predictions"].open("w", encoding="utf-8") as out:
                for pred in predictions:
                    out.write(json.dumps(pred, ensure_ascii=False) + "\n")
            self.stdout.write(f"{len(predictions)} out-of-fold predictions in {options['predictions']}")
            self.stdout.write("confidence band  drafts  real deals")
            for band in training.reliability(predictions, pages):
                share = band["right"] / band["drafts"] if band["drafts"] else 0.0
                self.stdout.write(f"{band['low']:.1f}–{band['high']:.1f}       {band['drafts']:6d}  {share:6.2f}")
            return
        decider = training.train(pages + extra, version=VERSION)
        options["out"].write_text(decider.to_json(), encoding="utf-8")
        self.stdout.write(
            f"model for {VERSION}: "
            + ", ".join(
                f"{k} ({len(m.weights)} weights, threshold {m.threshold:.2f})"
                for k, m in sorted(decider.models.items())
            )  # fmt: skip
            + f" -> {options['out']}"
        )
