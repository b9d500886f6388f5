"""A PNG chart of a period, made for a phone first (matplotlib, Agg, no display).

Portrait, large type, the units' short names (config/organization.yaml), values written on the bars, a title
that says what it shows and "as of" when, and the Okabe-Ito colours, which colour-blind readers tell apart.
"""

from __future__ import annotations

from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.consolidation import STAGE_ORDER, Consolidation
from bot.contracts import UNIT_STAGE_LABELS, UnitStage
from bot.i18n import N_, Translator
from bot.periods import period_title

# DejaVu Sans ships with matplotlib and covers every Vietnamese letter with its diacritics.
FONT = "DejaVu Sans"
MAX_UNIT_BARS = 30  # more units than this are drawn as counts per state
WIDTH_IN, DPI = 5.0, 160  # 800 px wide: sharp on a phone, and type stays large once scaled to the bubble
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
COLOURS = {
    UnitStage.ACCEPTED: "#009E73", UnitStage.SUBMITTED_ON_TIME: "#0072B2", UnitStage.SUBMITTED_LATE: "#E69F00",
    UnitStage.RETURNED: "#CC79A7", UnitStage.DRAFT: "#56B4E9", UnitStage.NOT_STARTED: "#BBBBBB",
    UnitStage.OVERDUE: "#D55E00",
}
HATCHES = {UnitStage.OVERDUE: "//", UnitStage.SUBMITTED_LATE: ".."}  # a second cue besides colour
TEXTS = {
    "units": N_("Report progress per unit"),
    "states": N_("Units per report state"),
    "capital": N_("Capital disbursed (% of plan)"),
    "target": N_("target 100%"),
    "total": N_("Total"),
    "as_of": N_("Figures as of {moment}"),
    "summary": N_("Savings {savings} million đồng · {initiatives} initiatives · {commendations} commendation "
                  "proposals"),
}


def text(tr: Translator, key: str) -> str:
    return tr.gettext(TEXTS[key])


def short(name: str, limit: int = 16) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def label_of(unit_id: int, name: str, short_names: dict[int, str]) -> str:
    return short(short_names.get(unit_id) or name)


def build_chart(c: Consolidation, tr: Translator, short_names: dict[int, str] | None = None) -> bytes:
    """States per unit, then capital disbursement against the 100% target, on one tall picture."""
    buffer = BytesIO()
    chart_figure(c, tr, short_names).savefig(buffer, format="png", pad_inches=0.2)
    return buffer.getvalue()


def chart_figure(c: Consolidation, tr: Translator, short_names: dict[int, str] | None = None) -> Figure:
    """The chart's figure, laid out (tests check that no text leaves the picture)."""
    short_names = short_names or {}
    rows = len(c.units) if len(c.units) <= MAX_UNIT_BARS else len(STAGE_ORDER)
    holders = [f for f in c.figures if f.holds_capital and f.capital_plan][:MAX_UNIT_BARS // 2]
    top, bottom = 1.0 + 0.42 * rows, 1.0 + 0.42 * (len(holders) + 1)
    fig = Figure(figsize=(WIDTH_IN, 2.6 + top + bottom), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    moment, p = tr.datetime(c.generated_at), c.period
    fig.suptitle(f"{period_title(tr, p.kind, p.year, p.phase)}\n{text(tr, 'as_of').format(moment=moment)}", fontsize=15,
                 fontweight="bold", family=FONT)
    # One subfigure per panel: its title and legend span the picture's whole width, not only the bars' axes
    # (a title placed on the axes starts right of the unit names and was cut off at the right edge).
    upper, lower = fig.subfigures(2, 1, height_ratios=(top, bottom))
    _states(upper, c, tr, short_names)
    _capital(lower, c, tr, short_names, holders)
    t = c.totals
    fig.supxlabel(text(tr, "summary").format(savings=tr.number(float(t.savings) / 1_000_000, 1),
                                             initiatives=t.initiatives, commendations=t.commendations),
                  fontsize=12, family=FONT, wrap=True)
    fig.canvas.draw()  # runs the constrained layout, so every text has its final place
    return fig


def _panel(sub, title: str):  # noqa: ANN001, ANN202 - a matplotlib SubFigure and its Axes
    """One panel: its title at the picture's left edge, wrapped rather than cut, above one Axes."""
    sub.suptitle(title, x=0.02, ha="left", fontsize=13, family=FONT, wrap=True)
    return sub.add_subplot()


def _states(sub, c: Consolidation, tr: Translator, short_names: dict[int, str]) -> None:  # noqa: ANN001
    _ = tr.gettext
    if len(c.units) <= MAX_UNIT_BARS:
        ax = _panel(sub, text(tr, "units"))
        units = list(reversed(c.units))
        done = [100.0 if u.has_submitted else (100.0 * u.answered / u.total if u.total else 0.0) for u in units]
        bars = ax.barh([label_of(u.unit_id, u.unit_name, short_names) for u in units], [max(d, 1.5) for d in done],
                       color=[COLOURS[u.stage] for u in units], hatch=None, edgecolor="white")
        for bar, unit, value in zip(bars, units, done):
            bar.set_hatch(HATCHES.get(unit.stage))
            ax.text(min(value, 100) + 1.5, bar.get_y() + bar.get_height() / 2, f"{value:.0f}%", va="center",
                    fontsize=12, family=FONT)
        ax.set_xlim(0, 118)
        ax.set_xticks([])
        present = [s for s in STAGE_ORDER if c.stage_counts.get(s)]
        # Below the bars, across the whole width; one column when two would not fit a phone's width.
        labels = [f"{_(UNIT_STAGE_LABELS[s])} ({c.stage_counts[s]})" for s in present]
        sub.legend(handles=[Patch(facecolor=COLOURS[s], hatch=HATCHES.get(s), edgecolor="white", label=label)
                            for s, label in zip(present, labels)],
                   loc="outside lower center", ncol=2 if max(map(len, labels)) <= 20 else 1, fontsize=12,
                   frameon=False)
    else:
        ax = _panel(sub, text(tr, "states"))
        stages = list(reversed(STAGE_ORDER))
        counts = [c.stage_counts.get(s, 0) for s in stages]
        ax.barh([_(UNIT_STAGE_LABELS[s]) for s in stages], counts, color=[COLOURS[s] for s in stages])
        for y, n in enumerate(counts):
            ax.text(n, y, f" {n}", va="center", fontsize=12)
    ax.tick_params(axis="y", labelsize=13, length=0)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)


def _capital(sub, c: Consolidation, tr: Translator, short_names: dict[int, str], holders) -> None:  # noqa: ANN001
    ax = _panel(sub, text(tr, "capital"))
    labels = [label_of(f.unit_id, f.unit_name, short_names) for f in holders] + [text(tr, "total")]
    values = [float(f.disbursement_pct or 0) for f in holders] + [float(c.totals.disbursement_pct or 0)]
    ax.barh(list(reversed(labels)), list(reversed(values)), color=["#000000"] + ["#0072B2"] * len(holders))
    ax.axvline(100, color="#D55E00", linestyle="--", linewidth=2, label=text(tr, "target"))
    for y, v in enumerate(reversed(values)):
        ax.text(v + 2, y, tr.percent(v), va="center", fontsize=12, family=FONT)
    ax.set_xlim(0, max(135.0, max(values) + 35))
    ax.set_xticks([])
    sub.legend(fontsize=11, loc="outside lower right", frameon=False)
    ax.tick_params(axis="y", labelsize=13, length=0)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
