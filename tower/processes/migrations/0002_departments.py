# The departments of a CMO site (reference data; tower.processes.defaults uses the same codes).

from django.db import migrations

DEPARTMENTS = [
    ("customer_service", "Customer service"),
    ("planning", "Planning"),
    ("procurement", "Procurement"),
    ("production", "Production"),
    ("qc", "Quality control"),
    ("qa", "Quality assurance"),
    ("warehouse", "Warehouse and shipping"),
]


def seed(apps, schema_editor):
    Department = apps.get_model("processes", "Department").objects.using(
        schema_editor.connection.alias
    )
    for position, (code, name) in enumerate(DEPARTMENTS, start=1):
        Department.update_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("processes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
