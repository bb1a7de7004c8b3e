"""Being built (issue 4)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Not built yet")


stock_out_list = report = stock_out_detail = end = _todo
