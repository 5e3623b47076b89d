"""The Editors group also maintains the glossary, applies updates from sources, and
may let a deleted article come back; it still manages no users or permissions."""

from django.db import migrations

from articles import editors

ADDED = [
    "add_glossaryterm",
    "change_glossaryterm",
    "delete_glossaryterm",
    "view_glossaryterm",
    "view_translationmemory",
    "delete_translationmemory",
    "view_articleupdate",
    "change_articleupdate",
    "view_deletedarticle",
    "delete_deletedarticle",
]


def add_permissions(apps, schema_editor):
    editors.grant(apps, ADDED)


def remove_permissions(apps, schema_editor):
    editors.revoke(apps, ADDED)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_search")]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
