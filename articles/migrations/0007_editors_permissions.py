"""The Editors group also maintains the glossary, applies updates from sources, and
may let a deleted article come back; it still manages no users or permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
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
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=ADDED)
    )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=ADDED)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_search")]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
