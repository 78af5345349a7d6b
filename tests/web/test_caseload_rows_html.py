"""The caseload table's rows and alerts written in Python (``web.views._rows_html`` and
``_alerts_html``, issue 13, h-caseload4) are the text the template's loops printed, byte for
byte, in English and Khmer: overdue or not, with no nationality, no case, one case or
several; alerts with and without a link, a survivor or a due date; values that must be
escaped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from northstar.ui.panels import Alert, ShownAlert
from northstar.web.views import _alerts_html, _rows_html, _TableRow

#: The caseload template's loop over its rows before h-caseload4, unchanged.
LOOP = Template("""{% load i18n %}
  {% translate "overdue" as overdue %}{% for s in rows %}
  <tr{% if s.overdue %} class="overdue"{% endif %}><td><a href="{{ s.url }}">{{ s.reference }}</a>{% if s.overdue %} <strong class="tag bad">{{ overdue }}</strong>{% endif %}</td><td>{{ s.nationality|default:"—" }}</td>
  <td>{% for url, reference, status in s.cases %}<a href="{{ url }}">{{ reference }}</a> <small>{{ status }}</small>{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td><td>{{ s.recorded }}</td></tr>
  {% empty %}<tr><td colspan="4">{% translate "No survivors to show." %}</td></tr>{% endfor %}
  </tbody>""")  # noqa: E501

NOW = Template("""{% load i18n %}
  {% if rows_html %}{{ rows_html }}{% else %}<tr><td colspan="4">{% translate "No survivors to show." %}</td></tr>{% endif %}
  </tbody>""")  # noqa: E501

ROWS = [
    _TableRow("SV-1", "/survivors/1/", "Cambodia", True,
              [("/cases/7/", "CS-7", "Open"), ("/cases/8/", "CS-8", "Closed")], "2026-12-01"),
    _TableRow("SV-2", "/survivors/2/", "", False, [], ""),
    _TableRow('S<V>&"3\'', "/survivors/3/?a=1&b=2", "Côte d'Ivoire <x>", False,
              [("/cases/9/", "C&S<9>", 'in "review"')], "2026-01-02"),
    _TableRow("SV-4", "/survivors/4/", "ថៃ", True, [("/cases/10/", "CS-10", "បើក")],
              "2025-12-31"),
]


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("rows", [ROWS, ROWS[1:2], ROWS[3:], []], ids=["all", "one", "km", "none"])
def test_the_rows_are_the_loops_text(language, rows):
    with translation.override(language):
        before = LOOP.render(Context({"rows": rows}))
        after = NOW.render(Context({"rows_html": _rows_html(rows)}))
    assert after == before


#: The caseload template's loop over the page's alerts before h-caseload4, unchanged.
ALERT_LOOP = Template("""{% load i18n %}<ul>{% for a in alert_page %}
    <li class="alert {{ a.severity }}"><span class="tag">{{ a.severity }}</span>
      {% if a.url %}<a href="{{ a.url }}">{{ a.title }}</a>{% else %}{{ a.title }}{% endif %}
      {% if a.survivor_reference %}· {{ a.survivor_reference }}{% endif %}
      {% if a.due %}<span class="due">{% translate "due" %} <time datetime="{{ a.due|date:'Y-m-d' }}">{{ a.due|date:"j M Y" }}</time></span>{% endif %}</li>
  {% endfor %}</ul>""")  # noqa: E501

ALERTS_NOW = Template("""{% load i18n %}<ul>{{ alerts_html }}</ul>""")


def _alerts():
    return [
        Alert(dt.date(2026, 5, 3), "CS-1: hearing", "/justice/cases/1/", "overdue", "SV-1"),
        Alert(None, "Referral #4 from <Org & Co> waits", "", "info", ""),
        ShownAlert(dt.date(2025, 12, 31), "warning", 'S"V<2>',
                   lambda: ("Do No Harm: don't \"refer\" <now>", "/safeguards/cases/2/?a=1&b=2")),
        ShownAlert(dt.date(2026, 1, 9), "overdue", "", lambda: ("ការបង់រំលស់", "")),
    ]


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("count", [4, 1, 0])
def test_the_alerts_are_the_loops_text(language, count):
    with translation.override(language):
        before = ALERT_LOOP.render(Context({"alert_page": _alerts()[:count]}))
        after = ALERTS_NOW.render(Context({"alerts_html": _alerts_html(_alerts()[:count])}))
    assert after == before
