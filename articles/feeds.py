"""RSS 2.0 and Atom 1.0 feeds, in the interface language of the URL they are served at.

Built on django.contrib.syndication, extended where it falls short for feed
readers: the full body (`content:encoded`, Atom `<content>`), GUIDs that are
not the link, a stable date for an empty feed, and conditional GET (ETag and
Last-Modified, answered with 304 from one aggregate query over the articles and
one over the names of sources and sections).
"""

import datetime
import hashlib
import uuid

import nh3
from django.contrib.syndication.views import Feed
from django.db.models import CharField, Max, Prefetch, Q, Subquery, Value
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from .models import Article, ArticleBlock, Section, Source

FEED_LENGTH = 50
# Item ids are UUIDs derived from this namespace, the article's id and the
# feed's language: they never change with a title or a slug.
GUID_NAMESPACE = uuid.UUID("5b0e8f0e-4c7a-4f53-9a7e-2d1c6c3f0a11")
# The date an empty feed reports, so that it does not change on every request.
EMPTY_FEED_DATE = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
ALLOWED_TAGS = {"div", "p", "h2", "figure", "blockquote", "figcaption", "cite", "a", "bdi"}
ALLOWED_ATTRIBUTES = {"*": {"dir", "lang"}, "a": {"href", "hreflang"}}


class _StableDateMixin:
    def latest_post_date(self):
        if not self.items:
            return EMPTY_FEED_DATE
        return super().latest_post_date()


class RssWithContent(_StableDateMixin, Rss201rev2Feed):
    """RSS 2.0 with the full article body in `content:encoded`."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(_StableDateMixin, Atom1Feed):
    """Atom 1.0 with the full article body in `<content type="html">`."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def sanitise(html: str) -> str:
    """Feed HTML through an allowlist: no script, style or event handler gets out."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener nofollow",
    )


def names_fingerprint() -> tuple[str, datetime.datetime | None]:
    """A hash of every source's and section's slug and names, and when one was last
    saved, read in one query.

    Items print section names as categories and source names as authors: a
    rename changes the hash (the ETag) and the time (Last-Modified).
    """

    def names(model):
        kind = Value(model._meta.model_name, output_field=CharField())
        fields = ("slug", "name_ar", "name_en", "updated_at")
        return model.objects.order_by().values_list(kind, *fields)

    rows = list(names(Section).union(names(Source), all=True))
    latest = max((row[4] for row in rows), default=None)
    names_only = sorted(tuple(str(value) for value in row[:4]) for row in rows)
    return hashlib.sha256(repr(names_only).encode()).hexdigest(), latest


class ArticleFeed(Feed):
    """The site's newest articles; subclasses narrow them to a source or a section."""

    feed_type = RssWithContent
    item_guid_is_permalink = False
    group_model = None
    group_field = ""

    # --- which articles -------------------------------------------------

    def group(self, request, slug=None):
        if self.group_model is None:
            return None
        if self._group is None:
            self._group = get_object_or_404(self.group_model, slug=slug)
        return self._group

    def all_articles(self, group):
        """Every article the feed could show, whatever its status."""
        articles = Article.objects.all()
        if group is not None:
            articles = articles.filter(**{self.group_field: group})
        return articles

    def visible(self) -> Q:
        # What Article.objects.published() means, as a condition the state's
        # aggregate can count with.
        now = timezone.now()
        visible = Q(status=Article.Status.PUBLISHED, published_at__lte=now) & (
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
        if self.language == "en":
            visible &= Q(title_en__isnull=False) & ~Q(title_en="")
        return visible

    def articles(self, group):
        return self.all_articles(group).filter(self.visible())

    @property
    def language(self) -> str:
        return translation.get_language()

    # --- conditional GET ------------------------------------------------

    def state(self, request, slug=None):
        """What the feed's content depends on, read from indexes in two short queries.

        The articles the feed shows (each one's id, last change and time of
        publication: the newest FEED_LENGTH, read along the published_at
        index) and the names of sources and sections. An article leaving the
        feed (unpublished, expired) changes which ones it shows. The time of
        the last change to any article stands for the changes to articles
        that left it, for Last-Modified: never earlier than it should be, at
        worst later, so a client asking "modified since" never misses one.
        """
        if self._state is None:
            group = self.group(request, slug)
            # The last change to any article rides along as a subquery (read
            # from the updated_at index once, not per row).
            last_change = Subquery(Article.objects.order_by("-updated_at").values("updated_at")[:1])
            rows = list(
                self.articles(group)
                .annotate(last_change=last_change)
                .order_by("-published_at", "-pk")
                .values_list("pk", "updated_at", "published_at", "last_change")[:FEED_LENGTH]
            )
            if rows:
                updated = rows[0][3]
            else:
                updated = Article.objects.aggregate(updated=Max("updated_at"))["updated"]
            shown = [row[:3] for row in rows]
            self._state = {
                "group": group,
                "shown": shown,
                "updated": updated,
                "published": max((row[2] for row in shown), default=None),
            }
            self._state["names"], self._state["renamed"] = names_fingerprint()
        return self._state

    def etag(self, request, slug=None):
        state = self.state(request, slug)
        group = state["group"]
        key = "|".join(
            str(part)
            for part in (
                type(self).__name__,
                self.feed_type.__name__,
                self.language,
                request.scheme,
                request.get_host(),
                group.pk if group else "",
                group.display_name if group else "",
                ";".join(f"{pk},{updated.isoformat()}" for pk, updated, _ in state["shown"]),
                state["names"],
            )
        )
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def last_modified(self, request, slug=None):
        state = self.state(request, slug)
        dates = [date for date in (state["updated"], state["published"], state["renamed"]) if date]
        return max(dates) if dates else EMPTY_FEED_DATE

    @classmethod
    def as_view(cls):
        """A view that builds a fresh feed object for each request, behind conditional GET."""

        def view(request, *args, **kwargs):
            feed = cls()
            feed.request = request
            conditional = condition(etag_func=feed.etag, last_modified_func=feed.last_modified)
            return conditional(feed)(request, *args, **kwargs)

        return view

    def __init__(self):
        super().__init__()
        self.request = None
        self._group = None
        self._state = None

    # --- the feed -------------------------------------------------------

    def get_object(self, request, slug=None):
        return self.group(request, slug)

    def title(self, group):
        site = _("Newsroom")
        return f"{site} — {group.display_name}" if group else site

    def description(self, group):
        return _("The latest news from Newsroom.")

    def link(self, group):
        return group.get_absolute_url() if group else reverse("articles:home")

    def items(self, group):
        return (
            self.articles(group)
            .select_related("source", "section")
            .prefetch_related(
                Prefetch("blocks", queryset=ArticleBlock.objects.order_by("position"))
            )
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, article):
        return article.title_en if self.language == "en" else article.title_ar

    def item_description(self, article):
        return sanitise(
            render_to_string(
                "feeds/article_summary.html", {"article": article, "language": self.language}
            )
        )

    def item_link(self, article):
        url = article.get_absolute_url()
        return f"{url}?view=en" if self.language == "en" else url

    def item_guid(self, article):
        return f"urn:uuid:{uuid.uuid5(GUID_NAMESPACE, f'article:{article.pk}:{self.language}')}"

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return max(article.updated_at, article.published_at)

    def item_author_name(self, article):
        return article.byline or article.source.display_name

    def item_categories(self, article):
        categories = [article.section.display_name] if article.section else []
        if self.language == "en" and article.english_is_machine:
            categories.append(_("Machine translation"))
        return categories

    def item_extra_kwargs(self, article):
        html = render_to_string(
            "feeds/article_content.html",
            {
                "article": article,
                "language": self.language,
                "article_url": self.request.build_absolute_uri(self.item_link(article)),
            },
        )
        return {"content": sanitise(html)}


class ArticleAtomFeed(ArticleFeed):
    feed_type = AtomWithContent
    subtitle = ArticleFeed.description


class SourceFeed(ArticleFeed):
    group_model = Source
    group_field = "source"


class SourceAtomFeed(SourceFeed):
    feed_type = AtomWithContent
    subtitle = ArticleFeed.description


class SectionFeed(ArticleFeed):
    group_model = Section
    group_field = "section"


class SectionAtomFeed(SectionFeed):
    feed_type = AtomWithContent
    subtitle = ArticleFeed.description
