"""The Editors group's later permissions, granted by data migrations (0007, 0010).

Editors curate content; they never manage users, groups or permissions.
"""

from django.contrib.auth.management import create_permissions

EDITORS = "Editors"


def _ensure_permissions(apps) -> None:
    # Permissions are otherwise created after all migrations ran (post_migrate).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, codenames) -> None:
    """Give the Editors group these permissions of the articles app."""
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )


def revoke(apps, codenames) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )
