"""``manage.py demo``: load the demo articles through the real pipeline and create a local admin."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from deals.models import Deal, DecidedBy, ReviewStatus
from deals.services import deal_approve
from sources.models import Origin
from sources.services import article_receive

DEMO_DIR = Path(settings.BASE_DIR) / "demo" / "articles"
# About 40 deals written for the demo (invented companies, several countries, years, kinds,
# currencies and two programmes) so that every chart and facet has something to show.
DEMO_DEALS = Path(settings.BASE_DIR) / "demo" / "deals.csv"
# The articles whose drafts the demo approves itself; every other article's draft stays on the desk.
DEMO_APPROVED = ["en-demo-chip-investment.txt", "ko-demo-battery-jv.txt"]


class Command(BaseCommand):
    help = "Ingest the demo articles (in-process), approve two of their drafts, and create a local admin account."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--no-approve", action="store_true", help="leave the demo deals as drafts")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo command is for local development (DEBUG=1) only.")
        from tracker.celery import app

        eager, app.conf.task_always_eager = app.conf.task_always_eager, True  # the demo needs no broker
        files = sorted(DEMO_DIR.glob("*.txt"))
        try:
            for path in files:
                article_receive(raw=path.read_bytes(), origin=Origin.FILE, filename=path.name)
        finally:
            app.conf.task_always_eager = eager  # called in-process, the flag must not outlive the command
        User = get_user_model()
        password = secrets.token_urlsafe(9)
        user, _ = User.objects.get_or_create(username=options["username"], defaults={"email": "admin@localhost"})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        if not options["no_approve"]:
            # Two clean articles' drafts are approved, so the public side has something of the desk's
            # own; the others (about ten, some clean, some with the usual faults: a missing country or
            # amount, a cut name, a bank as a party, two amounts for one deal) wait for a reviewer.
            # The demo's approvals are marked as the demo's, not a person's.
            drafts = Deal.objects.filter(
                review_status=ReviewStatus.DRAFT, sources__article__filename__in=DEMO_APPROVED
            ).distinct().order_by("id")  # fmt: skip
            for deal in drafts:
                deal_approve(deal=deal, user=user, decided_by=DecidedBy.DEMO)
        if not options["no_approve"]:
            from deals.imports import import_file

            imported = import_file(DEMO_DEALS, user=user, approve=True, decided_by=DecidedBy.DEMO)
            self.stdout.write(f"Demo deals: {imported.created} imported, {imported.unchanged} already there.")
        total = Deal.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Demo data: {len(files)} articles, {total} deals."))
        address = os.environ.get("ADDRESS", "127.0.0.1:8000")
        self.stdout.write(f"Admin login: http://{address}/admin/  user: {user.username}  password: {password}")
