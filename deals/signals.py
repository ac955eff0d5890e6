"""Signals other rooms listen to, so that ``deals`` imports none of them."""

from django.dispatch import Signal

# Sent by ``services.draft_upsert`` with ``deal_ids``: the drafts (and updated deals) an article wrote.
drafts_written = Signal()
