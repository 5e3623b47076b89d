"""The Editors group writes correction notes and reads the audit trail (which no one edits)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
ADDED = [
    "add_correction",
    "change_correction",
    "delete_correction",
    "view_correction",
    "view_auditentry",
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
    dependencies = [("articles", "0009_editorial")]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
