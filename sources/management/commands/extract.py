"""``manage.py extract FILE... [--jsonl]``: run the extractor on files and print the result."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources.extraction import ExtractionError, extract


class Command(BaseCommand):
    help = "Extract draft deals from article files (text or HTML, any encoding) and print them as JSON."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="article files; '-' reads standard input")
        parser.add_argument("--jsonl", action="store_true", help="one JSON object per line (the default is indented)")

    def handle(self, *args, **options):
        failed = 0
        for name in options["files"]:
            label = "-" if name == "-" else Path(name).name
            try:
                raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
                result = extract(raw).to_dict(file=label)
            except (OSError, ExtractionError) as exc:
                result, failed = {"file": label, "error": str(exc)}, failed + 1
            except Exception as exc:  # one bad input must not stop the batch
                result, failed = {"file": label, "error": f"internal error: {type(exc).__name__}: {exc}"}, failed + 1
            if options["jsonl"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            else:
                self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        if failed == len(options["files"]):
            raise CommandError(f"every input failed ({failed})", returncode=2)
