from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from deals.signals import company_merging, drafts_written

        from .services import company_merging_move_flags
        from .tasks import drafts_written_screen

        # Drafts are screened after their transaction commits: the worker that wrote them does not
        # wait, and a rolled-back draft is never screened.
        drafts_written.connect(drafts_written_screen, dispatch_uid="screening.drafts_written")
        company_merging.connect(company_merging_move_flags, dispatch_uid="screening.company_merging")
