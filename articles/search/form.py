"""The search page's parameters: the query and its filters, checked, with friendly messages.

?q= the query; ?source= and ?section= slugs; ?from= and ?to= days written
YYYY-MM-DD, both included. Whatever is wrong is said in one plain sentence;
nothing a reader types makes the page fail.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import query as search_query
from .query import Problem, UnusableQuery

QUERY_PROBLEMS = {
    Problem.EMPTY: _("Type a word or two to search the news."),
    Problem.TOO_LONG: _("That search is too long. Try a few words."),
    Problem.NO_WORDS: _("Type letters or numbers to search for: punctuation alone finds nothing."),
    Problem.ONLY_COMMON_WORDS: _(
        "Those words are too common to search for. Add a word that says more."
    ),
    Problem.ONLY_EXCLUDED: _(
        "Say what to look for, not only which words to leave out (those after a minus sign)."
    ),
}
BAD_DATE = _("Write dates as year-month-day, for example 2024-03-01.")


def _day_field() -> forms.DateField:
    return forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": BAD_DATE}
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=False)
    source = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": _("There is no such source.")}
    )
    section = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": _("There is no such section.")}
    )

    def __init__(self, data, *, sources, sections):
        super().__init__(data)
        self.sources = {source.slug: source for source in sources}
        self.sections = {section.slug: section for section in sections}
        self.fields["source"].choices = [("", ""), *((slug, slug) for slug in self.sources)]
        self.fields["section"].choices = [("", ""), *((slug, slug) for slug in self.sections)]
        # "from" is a Python keyword: these two cannot be declared on the class.
        self.fields["from"] = _day_field()
        self.fields["to"] = _day_field()
        self.query = None

    def clean_q(self):
        text = search_query.clean(self.cleaned_data["q"])
        try:
            self.query = search_query.parse(text)
        except UnusableQuery as error:
            raise forms.ValidationError(
                QUERY_PROBLEMS[error.problem], code=error.problem.value
            ) from None
        return text

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last and first > last:
            self.add_error("to", _("The first day comes after the last one."))
        return cleaned

    @property
    def problem(self) -> str:
        """The first thing wrong, in a sentence; empty when the search can run."""
        for name in ("q", "source", "section", "from", "to"):
            if name in self.errors:
                return self.errors[name][0]
        return ""

    def filters(self) -> dict:
        """Keyword arguments for `search_articles` (call when the form is valid)."""
        data = self.cleaned_data
        return {
            "source": self.sources.get(data["source"]),
            "section": self.sections.get(data["section"]),
            "date_from": data["from"],
            "date_to": data["to"],
        }
