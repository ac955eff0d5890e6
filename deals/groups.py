"""The two staff roles. Reviewers edit, approve, reject and merge; viewers only read.

Kept in code and re-applied after every ``migrate`` so a new model's permissions reach the
roles without a hand-made step. Only staff users reach the admin at all.
"""

from typing import Any

REVIEWERS = "reviewers"
VIEWERS = "viewers"

# Models a reviewer may add and change (deleting stays with superusers: decisions are rejections).
REVIEWER_EDITS = {
    "deals": ["company", "companyalias", "representative", "governmentbody", "governmentbodyalias", "programme",
              "sector", "deal", "dealparty", "jointventure", "amount", "governmentinvolvement", "dealsource"],
    "sources": ["article", "source"],
}  # fmt: skip
# Rows inside a deal a reviewer may remove while correcting it (a wrong party, amount, body).
REVIEWER_DELETES = {"deals": ["dealparty", "jointventure", "amount", "governmentinvolvement"]}
READ_APPS = ["deals", "sources"]


def groups_ensure(**kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    view = Permission.objects.using(using).filter(content_type__app_label__in=READ_APPS, codename__startswith="view_")
    viewers, _ = Group.objects.using(using).get_or_create(name=VIEWERS)
    viewers.permissions.set(view)

    edit_codenames = [
        f"{action}_{model}" for models in REVIEWER_EDITS.values() for model in models for action in ("add", "change")
    ] + [f"delete_{model}" for models in REVIEWER_DELETES.values() for model in models]
    edit = Permission.objects.using(using).filter(
        content_type__app_label__in=list(REVIEWER_EDITS), codename__in=edit_codenames
    )
    review = Permission.objects.using(using).filter(content_type__app_label="deals", codename="review_deal")
    reviewers, _ = Group.objects.using(using).get_or_create(name=REVIEWERS)
    reviewers.permissions.set([*view, *edit, *review])
