# The default process areas of the customer-lens FMEA and their mapping to the functional areas
# of kpis.md 2 (the evidence beside occurrence). Reference data: a CMO admin edits it in the admin.

from django.db import migrations

# (code, name, functional areas)
PROCESS_AREAS = [
    ("order_handling", "Order handling and customer service", ["planning"]),
    ("planning", "Production planning and scheduling", ["planning"]),
    ("procurement", "Material procurement and receipt", ["materials"]),
    ("batch_records", "Batch records and manufacturing instructions", ["manufacturing", "quality"]),
    ("equipment", "Equipment, cleaning and maintenance", ["manufacturing"]),
    ("release", "QC testing and batch release", ["quality"]),
    ("shipping", "Warehouse, shipping documents and transport", ["shipping"]),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    ProcessArea = apps.get_model("harmonisation", "ProcessArea").objects.using(db)
    FunctionalArea = apps.get_model("masterdata", "FunctionalArea").objects.using(db)
    known = set(FunctionalArea.values_list("code", flat=True))
    for position, (code, name, areas) in enumerate(PROCESS_AREAS, start=1):
        area, _ = ProcessArea.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        area.functional_areas.set([a for a in areas if a in known])


def unseed(apps, schema_editor):
    apps.get_model("harmonisation", "ProcessArea").objects.using(
        schema_editor.connection.alias
    ).filter(
        code__in=[code for code, _, _ in PROCESS_AREAS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("harmonisation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
