"""The "Editors" group: exactly what an editor needs, and no user or permission management."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
MODELS = ["article", "articleblock", "tickerheadline", "source", "section"]
ACTIONS = ["add", "change", "delete", "view"]


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create
    # them now so that the group can be given them in the same run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
