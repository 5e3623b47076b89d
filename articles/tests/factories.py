"""factory_boy factories for Newsroom's models.

Translated fields are set through their Arabic column (`title_ar`, `text_ar`...):
modeltranslation sends a plain `title=` to the active language's column, and
English must only ever be filled in on purpose.
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from articles.models import Article, ArticleBlock, Section, Source, TickerHeadline

EDITORS_GROUP = "Editors"


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    name_ar = factory.Sequence(lambda n: f"صحيفة المدينة {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    homepage_url = factory.LazyAttribute(lambda source: f"https://{source.slug}.example/")


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    name_ar = factory.Sequence(lambda n: f"قسم {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    position = factory.Sequence(lambda n: n)


class ArticleFactory(DjangoModelFactory):
    """A published article, dated an hour ago."""

    class Meta:
        model = Article

    source = factory.SubFactory(SourceFactory)
    title_ar = factory.Sequence(lambda n: f"افتتاح حديقة جديدة في الحي {n}")
    original_url = factory.Sequence(lambda n: f"https://news.example/a/{n}")
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT)
        scheduled = factory.Trait(
            status=Article.Status.SCHEDULED,
            published_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1)),
        )
        archived = factory.Trait(status=Article.Status.ARCHIVED)


class ArticleBlockFactory(DjangoModelFactory):
    class Meta:
        model = ArticleBlock

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = ArticleBlock.Kind.PARAGRAPH
    text_ar = factory.Sequence(lambda n: f"جرى الافتتاح صباح اليوم بحضور السكان {n}.")


class TickerHeadlineFactory(DjangoModelFactory):
    class Meta:
        model = TickerHeadline

    text_ar = factory.Sequence(lambda n: f"عنوان عاجل رقم {n}")
    position = factory.Sequence(lambda n: n)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@newsroom.example")
    password = factory.django.Password("correct horse battery staple")


def make_editor(**kwargs):
    """A staff user in the Editors group the data migration creates; not a superuser."""
    user = UserFactory(is_staff=True, is_superuser=False, **kwargs)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user
