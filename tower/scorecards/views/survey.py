"""Being built (issue 4)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Not built yet")


survey = _todo
