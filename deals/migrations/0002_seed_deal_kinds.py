from django.db import migrations

KINDS = ["investment", "joint_venture", "mou", "licensing", "technology_transfer", "acquisition", "fund", "partnership"]


def seed(apps, schema_editor):
    DealKind = apps.get_model("deals", "DealKind")
    for code in KINDS:
        DealKind.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
