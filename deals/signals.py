"""Signals other rooms listen to, so that ``deals`` imports none of them."""

from django.dispatch import Signal

# Sent by ``services.draft_upsert`` with ``deal_ids``: the drafts (and updated deals) an article wrote.
drafts_written = Signal()

# Sent by ``services.company_merge`` with ``survivor`` and ``other`` before ``other`` is deleted, so
# that rows of other rooms pointing at it (screening flags and their decisions) can move over.
company_merging = Signal()
