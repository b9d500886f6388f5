"""A PNG chart of a period: each unit's submission state and the key indicators (matplotlib, Agg, no display)."""

from __future__ import annotations

from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.consolidation import STAGE_ORDER, Consolidation
from bot.contracts import UNIT_STAGE_LABELS, UnitStage
from bot.i18n import N_, Translator
from bot.services.status.text import form_label, title_of

# DejaVu Sans ships with matplotlib and covers every Vietnamese letter with its diacritics.
FONT = "DejaVu Sans"
MAX_UNIT_BARS = 30  # more units than this are drawn as counts per state
COLOURS = {
    UnitStage.ACCEPTED: "#1b7837", UnitStage.SUBMITTED_ON_TIME: "#5aae61", UnitStage.SUBMITTED_LATE: "#e08214",
    UnitStage.RETURNED: "#b2abd2", UnitStage.DRAFT: "#92c5de", UnitStage.NOT_STARTED: "#d9d9d9",
    UnitStage.OVERDUE: "#d73027",
}
TEXTS = {
    "units": N_("Report state per unit (% of questions answered)"),
    "states": N_("Units per report state"),
    "capital": N_("Public-investment capital disbursed (% of plan)"),
    "target": N_("target 100%"),
    "total": N_("Total"),
    "others": N_("Other indicators"),
    "savings": N_("Savings (million đồng)"),
    "initiatives": N_("Initiatives"),
    "commendations": N_("Commendation proposals"),
}


def text(tr: Translator, key: str) -> str:
    return tr.gettext(TEXTS[key])


def short(name: str, limit: int = 34) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def build_chart(c: Consolidation, tr: Translator) -> bytes:
    """Three panels: states, capital disbursement against the 100% target, other indicators."""
    _ = tr.gettext
    rows = len(c.units) if len(c.units) <= MAX_UNIT_BARS else len(STAGE_ORDER)
    fig = Figure(figsize=(12, max(6.0, 2.5 + 0.32 * rows)), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(title_of(c, tr), fontsize=14, fontweight="bold", family=FONT)
    grid = fig.add_gridspec(2, 2, width_ratios=(1.3, 1), height_ratios=(1.2, 1))
    _states(fig.add_subplot(grid[:, 0]), c, tr)
    _capital(fig.add_subplot(grid[0, 1]), c, tr)
    _others(fig.add_subplot(grid[1, 1]), c, tr)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.3)
    return buffer.getvalue()


def _states(ax, c: Consolidation, tr: Translator) -> None:  # noqa: ANN001
    _ = tr.gettext
    if len(c.units) <= MAX_UNIT_BARS:
        units = list(reversed(c.units))
        done = [100.0 if u.has_submitted else (100.0 * u.answered / u.total if u.total else 0.0) for u in units]
        ax.barh([short(u.unit_name) for u in units], [max(d, 2.0) for d in done],
                color=[COLOURS[u.stage] for u in units])
        ax.set_xlim(0, 100)
        ax.set_title(text(tr, "units"), fontsize=11, family=FONT)
        present = [s for s in STAGE_ORDER if c.stage_counts.get(s)]
        ax.legend(handles=[Patch(color=COLOURS[s], label=f"{_(UNIT_STAGE_LABELS[s])} ({c.stage_counts[s]})")
                           for s in present], loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=9,
                  frameon=False)
    else:
        stages = list(reversed(STAGE_ORDER))
        counts = [c.stage_counts.get(s, 0) for s in stages]
        ax.barh([_(UNIT_STAGE_LABELS[s]) for s in stages], counts, color=[COLOURS[s] for s in stages])
        for y, n in enumerate(counts):
            ax.text(n, y, f" {n}", va="center", fontsize=9)
        ax.set_title(text(tr, "states"), fontsize=11, family=FONT)
    ax.tick_params(axis="y", labelsize=9)


def _capital(ax, c: Consolidation, tr: Translator) -> None:  # noqa: ANN001
    _ = tr.gettext
    holders = [f for f in c.figures if f.holds_capital and f.capital_plan][:MAX_UNIT_BARS // 2]
    labels = [short(f.unit_name, 24) for f in holders] + [text(tr, "total")]
    values = [f.disbursement_pct or 0.0 for f in holders] + [c.totals.disbursement_pct or 0.0]
    ax.barh(list(reversed(labels)), list(reversed(values)), color=["#2166ac"] + ["#67a9cf"] * len(holders))
    ax.axvline(100, color="#d73027", linestyle="--", linewidth=1.2, label=text(tr, "target"))
    for y, v in enumerate(reversed(values)):
        ax.text(v, y, " " + tr.percent(v), va="center", fontsize=8)
    ax.set_xlim(0, max(120.0, max(values) + 20))
    ax.set_title(text(tr, "capital"), fontsize=11, family=FONT)
    ax.legend(fontsize=8, loc="lower right")
    ax.tick_params(axis="y", labelsize=8)


def _others(ax, c: Consolidation, tr: Translator) -> None:  # noqa: ANN001
    _ = tr.gettext
    t = c.totals
    lines = [f"{text(tr, 'savings')}: {tr.number(t.savings / 1_000_000, 1)}",
             f"{text(tr, 'initiatives')}: {t.initiatives}",
             f"{text(tr, 'commendations')}: {t.commendations}"]
    lines += [f"  • {short(form_label(tr, code), 48)}: {n}" for code, n in t.commendations_by_form.items()]
    ax.axis("off")
    ax.set_title(text(tr, "others"), fontsize=11, family=FONT)
    ax.text(0.0, 1.0, "\n".join(lines), va="top", ha="left", fontsize=10, family=FONT, transform=ax.transAxes)
