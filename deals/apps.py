from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        from .groups import groups_ensure

        # After migrate, because permissions themselves are created by a post_migrate handler, one
        # app at a time: run after every app's, or the roles miss the permissions of apps after
        # this one (reviewers had no right to upload articles).
        post_migrate.connect(groups_ensure, dispatch_uid="deals.groups_ensure")
