"""The Editors group writes correction notes and reads the audit trail (which no one edits)."""

from django.db import migrations

from articles import editors

ADDED = [
    "add_correction",
    "change_correction",
    "delete_correction",
    "view_correction",
    "view_auditentry",
]


def add_permissions(apps, schema_editor):
    editors.grant(apps, ADDED)


def remove_permissions(apps, schema_editor):
    editors.revoke(apps, ADDED)


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_editorial")]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
