"""Load the functional areas and root-cause codes of kpis.md section 2."""

from django.db import migrations

from tower.engine.root_causes import AREAS, ROOT_CAUSES


def load(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always "default"
    FunctionalArea = apps.get_model("performance", "FunctionalArea").objects.using(db)
    RootCauseCode = apps.get_model("performance", "RootCauseCode").objects.using(db)
    for area in AREAS:
        FunctionalArea.update_or_create(
            code=area.code, defaults={"name": area.name, "cmo_attributable": area.cmo_attributable}
        )
    for cause in ROOT_CAUSES:
        RootCauseCode.update_or_create(
            code=cause.code, defaults={"area_id": cause.area, "name": cause.name}
        )


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
