import os

from django.core.wsgi import get_wsgi_application

from tower.secret_key import refuse_public_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tower.settings")
application = get_wsgi_application()
# gunicorn and runserver both load this module: neither serves with the public default key.
refuse_public_key()
