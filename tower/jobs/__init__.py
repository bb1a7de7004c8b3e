"""Jobs: long work run by the Huey worker (`tower worker`) instead of in the request.

Layers (design.md): this app sits just above tenancy, below orders, performance and scorecards,
so that every app can submit jobs. It knows no job's work: each app registers the handlers of
its kinds in its own `tasks.py` (tower.performance.tasks, tower.scorecards.tasks), which the
worker imports at start (Huey's autodiscovery of `tasks` modules), and this app runs them by
kind. The Job row is what the pages show: who asked, for which client, status, progress, the
result file or message.
"""
