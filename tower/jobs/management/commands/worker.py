"""tower worker: run the job worker (Huey's consumer) until stopped with Ctrl-C.

Runs the jobs the web app queues (exclusions, month closes, proposals for many lines, large
exports) and the daily recompute of every client. Options are Huey's (`-w` threads, ...)."""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = (
        "Run the job worker: the long work the web app queues (exclusions, month closes, "
        "proposals for many lines, large exports) and the daily recompute. Stop with Ctrl-C."
    )
