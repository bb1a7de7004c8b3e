"""Signals other apps listen to, so that performance need not know who depends on its figures.

`outcomes_changed` is sent (inside the writing transaction) after a client's line outcomes or
root causes changed: the scorecards app re-attributes the client's stock-outs on it.
"""

from django.dispatch import Signal

# Arguments: client (tenancy.Client).
outcomes_changed = Signal()
