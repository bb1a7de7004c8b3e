"""The worker's part of one voice: e-mails are sent by `tower worker`, never in a request."""

from django.db import connection
from huey.contrib.djhuey import HUEY, db_task

from tower.communications import services


# retries=0: a failed mail is recorded (status, error, the communication log) and the CMO sends
# it again from the notice's page once the cause is fixed.
@db_task(retries=0)
def send_mail_task(mail_id: int) -> None:
    try:
        services.deliver_mail(mail_id)
    finally:
        if not HUEY.immediate:
            connection.close()
