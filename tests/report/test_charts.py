"""plots: every report figure is a titled, labelled, sourced Figure that respects disclosure control."""

from __future__ import annotations

import copy

import matplotlib

matplotlib.use("Agg")  # no display; before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402  (only to check that nothing registers with it)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from finsam_analysis.disclosure import rules as disclosure
from finsam_analysis.disclosure import tables as disclosure_tables
from finsam_analysis.report import charts as plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOTE = "Värden som visas som .. bygger på färre än 5 personer"


def nb(text: str) -> str:
    """Text with no-break spaces as plain ones, for comparing."""
    return text.replace("\u00a0", " ")


# ---------------------------------------------------------------------------
# Small hand-made, already protected inputs
# ---------------------------------------------------------------------------


def monthly() -> pd.Series:
    months = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
    values = [40 + i for i in range(len(months))]
    s = pd.Series(values, index=months, name="aktiva_deltaganden", dtype=object)
    s.iloc[2] = disclosure.SUPPRESSED  # mar 2023 hidden
    s.iloc[3] = disclosure.SUPPRESSED  # apr 2023 hidden
    return s


def shares_table() -> pd.DataFrame:
    """Rows per kön; man hidden ("..") as ProtectedTable.display() gives it."""
    return pd.DataFrame(
        {
            "avslutade": [88, "..", 12],
            "andel": [0.432, "..", 0.5],
            "ci_low": [0.33, "..", 0.25],
            "ci_high": [0.54, "..", 0.75],
        },
        index=pd.Index(["kvinna", "man", "okand"], name="kon"),
    )


def trend_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "andel": [0.40, np.nan, 0.45, 0.43],
            "ci_low": [0.31, np.nan, 0.37, 0.36],
            "ci_high": [0.50, np.nan, 0.53, 0.50],
            "avslutade": [90, 3, 120, 157],
        },
        index=pd.Index([2021, 2022, 2023, 2024], name="ar"),
    )


def transition_counts() -> pd.DataFrame:
    groups = ["ohalsa", "arbetsmarknad", "egen"]
    return pd.DataFrame(
        [[15, 5, 10], [0, 11, 14], [20, 8, 12]],
        index=pd.Index(groups, name="fore"),
        columns=pd.Index(groups, name="efter"),
    )


def transition_protected() -> disclosure_tables.ProtectedTable:
    counts = transition_counts()
    counts.iloc[0, 1] = 3  # primary suppression, and complements
    return disclosure_tables.protect_table(counts)


def helarsekvivalenter_yearly() -> pd.DataFrame:
    years = [2022, 2023, 2024, 2025]
    frame = pd.DataFrame(
        {
            "sjukpenning": [900.0, 950.0, 1000.0, 980.0],
            "sjuk_och_aktivitetsersattning": [1500.0, 1450.0, 1400.0, 1390.0],
            "arbetsloshetsersattning": [400.0, 420.0, 500.0, 510.0],
            "arbetsmarknadsatgarder": [800.0, 780.0, 760.0, 750.0],
            "ekonomiskt_bistand": [600.0, 610.0, 620.0, 630.0],
            "etableringsersattning": [100.0, 90.0, 80.0, 70.0],
            "manader": [12, 12, 12, 6],
        },
        index=pd.Index(years, name="ar"),
    )
    frame["summa"] = frame.iloc[:, :6].sum(axis=1)
    frame["partiellt"] = frame["manader"] < 12
    return frame


def riket_series() -> tuple[pd.Series, pd.Series]:
    years = [2021, 2022, 2023, 2024]
    return (
        pd.Series([0.152, 0.148, 0.145, 0.142], index=years),
        pd.Series([0.133, 0.127, 0.124, 0.121], index=years),
    )


def per_kommun() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kommunkod": ["2482", "2417", "00", "2482", "2417", "00"],
            "ar": [2023, 2023, 2023, 2024, 2024, 2024],
            "andel": [0.13, 0.16, 0.124, 0.142, 0.158, 0.121],
        }
    )


def insatser() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "insats_id": ["a_01", "a_02", "a_03"],
            "namn": ["Jobbstegen", "Framtidsverkstan", "Lotsen"],
            "aktiva_deltagare": [172, "..", 40],
            "mal_deltagare_per_ar": [200, 55, None],
        }
    )


BUILDERS = {
    "active_per_month": (lambda: plots.active_per_month(monthly()), "Aktiva deltaganden per månad"),
    "outcome_shares": (lambda: plots.outcome_shares(shares_table()), "Andel som gick till arbete eller studier"),
    "outcome_trend": (lambda: plots.outcome_trend(trend_table()), "per år"),
    "transition_heatmap": (lambda: plots.transition_heatmap(transition_protected()), "Försörjning före och efter"),
    "offentlig_forsorjning_before_after": (lambda: plots.offentlig_forsorjning_before_after(0.62, 0.41, n=157), "offentlig försörjning"),
    "helarsekvivalenter_by_ersattning": (
        lambda: plots.helarsekvivalenter_by_ersattning(helarsekvivalenter_yearly()),
        "Helårsekvivalenter per ersättning",
    ),
    "share_against_riket": (lambda: plots.share_against_riket(*riket_series()), "Andel av befolkningen 20–64 år"),
    "share_per_kommun": (lambda: plots.share_per_kommun(per_kommun()), "per kommun, 2024"),
    "insatser_against_targets": (lambda: plots.insatser_against_targets(insatser()), "Aktiva deltagare per insats"),
}


def all_texts(fig: Figure) -> list[str]:
    """Every text drawn on the figure: suptitle, figure texts, axes texts, tick labels, legends."""
    out = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return out


def shown_bars(ax) -> int:
    return sum(1 for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle) and p.get_width() > 0)


# ---------------------------------------------------------------------------
# Every figure
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_figure_is_titled_labelled_and_sourced(name):
    build, title_part = BUILDERS[name]
    result = build()
    assert isinstance(result, plots.FigureResult)
    assert isinstance(result.fig, Figure)
    assert title_part in result.title
    # The drawn title is the result's title (wrapped over lines when long).
    assert result.fig._suptitle.get_text().replace("\n", " ") == result.title
    ax = result.fig.axes[0]
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
    assert any(t.get_text().startswith("Källa: ") for t in result.fig.texts)
    assert tuple(result.fig.get_size_inches())[0] == pytest.approx(8.0)
    assert result.alt and result.alt.endswith(".")
    plots.close(result)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_png_bytes(name):
    result = BUILDERS[name][0]()
    png = plots.figure_to_png_bytes(result.fig)
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 5_000
    assert plots.figure_to_png_bytes(result.fig) == png  # deterministic
    assert result.png(dpi=60).startswith(PNG_SIGNATURE)
    plots.close(result.fig)


def test_global_matplotlib_state_is_untouched():
    before = copy.deepcopy(dict(matplotlib.rcParams))
    for build, _ in BUILDERS.values():
        result = build()
        plots.figure_to_png_bytes(result.fig)
        html = result._repr_html_()
        assert html.startswith("<img") and 'alt="' in html
        plots.close(result)
    after = dict(matplotlib.rcParams)
    assert after.keys() == before.keys()
    changed = [k for k in before if before[k] != after[k]]
    assert changed == []
    assert plt.get_fignums() == []


def test_figures_do_not_depend_on_global_rcparams():
    """A caller's global style does not leak into the figures (local rc_context)."""
    with matplotlib.rc_context({"font.size": 20, "axes.spines.top": True}):
        fig = plots.active_per_month(monthly()).fig
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible()
    assert fig.texts[-1].get_fontsize() == 8


# ---------------------------------------------------------------------------
# Swedish format
# ---------------------------------------------------------------------------


def test_swedish_number_formats():
    assert plots.format_number(12345) == "12\u00a0345"
    assert plots.format_number(1234567.891, 1) == "1\u00a0234\u00a0567,9"
    assert plots.format_number(-2.5, 1) == "-2,5"
    assert plots.format_number(-0.0001) == "0"
    assert plots.format_number(None) == "–"
    assert plots.format_percent(0.432) == "43,2\u00a0%"
    assert plots.format_interval(0.35, 0.571) == "35,0–57,1\u00a0%"
    assert plots.month_label(pd.Timestamp("2024-01-01")) == "jan 2024"
    assert plots.month_label("2024-05-17") == "maj 2024"
    assert plots.month_label("2023-10-01") == "okt 2023"
    assert plots.hidden_note(3) == ("Värden som visas som .. bygger på färre än 3 personer eller döljs så att de "
                                    "inte kan räknas fram ur andra tal.")
    assert plots.hidden_note(5, {"50 år": "small", "40 år": "protect"}).startswith(
        "Visas inte (..): 50 år bygger på färre än 5 personer; 40 år döljs så att det inte kan räknas fram")


def test_one_value_is_written_the_same_way_everywhere():
    """1/8: "12,5 %" in the table, on the bar, in a sentence and in the alt text (issue 13)."""
    from finsam_analysis import fmt
    from finsam_analysis.report.tables import RATE_KINDS, ReportTable

    data = pd.DataFrame(
        {"Avslutade": [8, 10], "Arbete/studier": [1, 5], "Andel arbete/studier": [1 / 8, 0.5],
         "95 % KI, låg": [0.02, 0.24], "95 % KI, hög": [0.47, 0.76]},
        index=pd.Index(["Kvinna", "Man"], name="Kön"),
    )
    table = ReportTable("resultat_kon", "Resultat vid avslut", "T", data, RATE_KINDS)
    cell = table.formatted().at["Kvinna", "Andel arbete/studier"]
    assert cell == "12,5\u00a0%" == fmt.fmt_pct(1 / 8)
    result = plots.outcome_shares(data.rename(columns={"Andel arbete/studier": "andel", "95 % KI, låg": "ci_low",
                                                       "95 % KI, hög": "ci_high", "Avslutade": "avslutade"}))
    labels = [t.get_text() for t in result.fig.axes[0].texts]
    assert cell in labels  # the bar's label is the table's cell
    assert cell in result.alt
    plots.close(result)
def test_axes_use_swedish_ticks():
    fig = plots.active_per_month(monthly()).fig
    ax = fig.axes[0]
    xlabels = [t.get_text() for t in ax.get_xticklabels()]
    assert "jan 2023" in xlabels and "jan 2024" in xlabels
    fig = plots.outcome_shares(shares_table()).fig
    xlabels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "40 %" in xlabels and "100 %" in xlabels
    fig = plots.helarsekvivalenter_by_ersattning(helarsekvivalenter_yearly()).fig
    ylabels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(" " in nb(t) and "," not in t for t in ylabels)  # "1 000", "3 000" …
    fig = plots.share_against_riket(*riket_series()).fig
    xlabels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "2021" in xlabels  # years never get a thousands space


def test_decimal_comma_on_percent_ticks():
    f = pd.Series([0.012, 0.018], index=[2023, 2024])
    r = pd.Series([0.011, 0.015], index=[2023, 2024])
    fig = plots.share_against_riket(f, r).fig
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any("," in t and t.endswith(" %") for t in labels), labels
    assert not any("." in t for t in labels)


# ---------------------------------------------------------------------------
# Alt texts carry the key numbers in Swedish format
# ---------------------------------------------------------------------------


def test_alt_texts_mention_key_numbers():
    assert "jan 2023" in BUILDERS["active_per_month"][0]().alt
    active = nb(plots.active_per_month(monthly()).alt)
    assert "63 aktiva deltaganden" in active and "dec 2024" in active and "2 månader visas inte" in active
    shares = nb(plots.outcome_shares(shares_table()).alt)
    assert "Kvinna 43,2 %" in shares and "33,0–54,0 %" in shares and "n = 88" in shares
    assert "Man: visas inte" in shares and "Uppgift saknas 50,0 %" in shares
    trend = nb(plots.outcome_trend(trend_table()).alt)
    assert "2024 43,0 %" in trend and "2022 visas inte" in trend
    heat = nb(plots.transition_heatmap(transition_counts()).alt)
    assert "Totalt 95 deltaganden" in heat
    assert "Egen försörjning före och ohälsa efter (20)" in heat and "Ohälsa före och samma efter (15)" in heat
    off = nb(plots.offentlig_forsorjning_before_after(0.62, 0.41, n=1234).alt)
    assert "62,0 %" in off and "41,0 %" in off and "n = 1 234" in off and "21 procentenheter lägre" in off
    he = nb(plots.helarsekvivalenter_by_ersattning(helarsekvivalenter_yearly()).alt)
    assert "totalt 4 330 helårsekvivalenter" in he and "2025 (ofullständigt år)" in he
    riket = nb(plots.share_against_riket(*riket_series(), forbund_label="Samordningsförbundet Skellefteå").alt)
    assert "14,2 %" in riket and "12,1 %" in riket and "Samordningsförbundet Skellefteå" in riket
    kommun = nb(plots.share_per_kommun(per_kommun()).alt)
    assert "Norsjö 15,8 %" in kommun and "Skellefteå 14,2 %" in kommun and "Riket: 12,1 %" in kommun
    ins = nb(plots.insatser_against_targets(insatser()).alt)
    assert "Jobbstegen 172 (mål 200)" in ins and "Framtidsverkstan visas inte" in ins


# ---------------------------------------------------------------------------
# Disclosure control: hidden values are not drawn, and the note says so
# ---------------------------------------------------------------------------


def test_outcome_shares_hidden_rows():
    result = plots.outcome_shares(shares_table())
    ax = result.fig.axes[0]
    assert shown_bars(ax) == 2  # kvinna and okand; man is hidden
    widths = sorted(round(p.get_width(), 3) for p in ax.patches)
    assert widths == [0.432, 0.5]
    assert ".." in [t.get_text() for t in ax.texts]
    assert any(t.get_text().startswith(NOTE) for t in result.fig.texts)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Kvinna (n = 88)", "Man (n = ..)", "Uppgift saknas (n = 12)"]
    # Interval whiskers only for shown rows.
    assert "Strecken visar 95 % konfidensintervall" in " ".join(all_texts(result.fig))


def test_outcome_shares_from_protected_table_and_without_ci():
    counts = pd.DataFrame(
        {"avslutade_deltaganden": [40, 30, 3], "arbete_studier": [20, 9, 1]},
        index=pd.Index(["16-24", "25-29", "50+"], name="aldersgrupp"),
    )
    counts["andel_arbete_studier"] = counts["arbete_studier"] / counts["avslutade_deltaganden"]
    pt = disclosure_tables.protect_table(
        counts, margins=False, shares={"andel_arbete_studier": ("arbete_studier", "avslutade_deltaganden")}
    )
    result = plots.outcome_shares(pt, ci=False)
    ax = result.fig.axes[0]
    assert shown_bars(ax) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "16–24 år (n = 40)", "25–29 år (n = 30)", "50 år och äldre (n = ..)",
    ]
    assert ax.get_ylabel() == "Åldersgrupp"
    assert any(NOTE in t.get_text() for t in result.fig.texts)
    assert "konfidensintervall" not in result.alt
    assert "50,0 %" in nb(result.alt) and "30,0 %" in nb(result.alt)


def test_no_note_when_nothing_is_hidden():
    table = shares_table().iloc[[0, 2]]
    result = plots.outcome_shares(table)
    assert not any(NOTE in t for t in all_texts(result.fig))
    result = plots.active_per_month(pd.Series([10, 12], index=pd.date_range("2024-01-01", periods=2, freq="MS")))
    assert not any(NOTE in t for t in all_texts(result.fig))


def test_undefined_share_is_not_a_hidden_one():
    table = pd.DataFrame(
        {"andel": [0.5, np.nan], "ci_low": [0.3, np.nan], "ci_high": [0.7, np.nan], "avslutade": [20, 0]},
        index=["Kvinna", "Man"],
    )
    result = plots.outcome_shares(table)
    assert "–" in [t.get_text() for t in result.fig.axes[0].texts]
    assert not any(NOTE in t for t in all_texts(result.fig))
    assert "Man: inga avslutade" in result.alt


def test_active_per_month_gaps_for_hidden_months():
    result = plots.active_per_month(monthly())
    ax = result.fig.axes[0]
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[2]) and np.isnan(y[3]) and np.isfinite(y).sum() == 22
    assert any(t.get_text().startswith(NOTE) for t in result.fig.texts)
    # Missing values (NaN) count as hidden too.
    s = pd.Series([10.0, np.nan, 12.0], index=pd.date_range("2024-01-01", periods=3, freq="MS"))
    result = plots.active_per_month(s)
    assert any(t.get_text().startswith(NOTE) for t in result.fig.texts)
    assert "1 månad visas inte" in result.alt


def test_outcome_trend_hidden_year():
    result = plots.outcome_trend(trend_table())
    ax = result.fig.axes[0]
    y = max(ax.lines, key=lambda line: len(line.get_ydata())).get_ydata()  # the trend line
    assert np.isnan(y[1]) and np.isfinite(y).sum() == 3
    assert ".." in [t.get_text() for t in ax.texts]
    assert any(NOTE in t.get_text() for t in result.fig.texts)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022", "2023", "2024"]


def test_heatmap_hidden_cells():
    pt = transition_protected()
    result = plots.transition_heatmap(pt)
    ax = result.fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("..") == pt.n_hidden >= 2
    assert "3" not in texts  # the hidden count is nowhere on the figure
    image = ax.images[0].get_array()
    assert image.mask[0, 1]  # hidden cell not coloured
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ohälsa", "Arbetsmarknad", "Egen försörjning", "Totalt"]
    assert any(NOTE in t.get_text() for t in result.fig.texts)
    assert f"{pt.n_hidden} rutor visas inte" in result.alt
    # The same table as displayed with "..".
    shown = plots.transition_heatmap(pt.display())
    assert [t.get_text() for t in shown.fig.axes[0].texts] == texts


def test_heatmap_without_hidden_cells_writes_every_count():
    result = plots.transition_heatmap(transition_counts())
    texts = [t.get_text() for t in result.fig.axes[0].texts]
    assert texts == ["15", "5", "10", "0", "11", "14", "20", "8", "12"]
    assert not any(NOTE in t for t in all_texts(result.fig))
    assert "Arbetsmarknad" in [t.get_text() for t in result.fig.axes[0].get_xticklabels()]
    assert "40,0 % hade samma försörjning" in nb(result.alt)  # (15 + 11 + 12) / 95


def test_offentlig_fore_efter_hidden():
    result = plots.offentlig_forsorjning_before_after(0.6, None)
    ax = result.fig.axes[0]
    assert shown_bars(ax) == 1
    assert ".." in [t.get_text() for t in ax.texts]
    assert any(NOTE in t.get_text() for t in result.fig.texts)
    assert "efter insatsen visas inte" in result.alt
    assert shown_bars(plots.offentlig_forsorjning_before_after(0.6, 0.4).fig.axes[0]) == 2


def test_insatser_mot_mal_hidden_and_targets():
    result = plots.insatser_against_targets(insatser())
    ax = result.fig.axes[0]
    assert shown_bars(ax) == 2
    target_line = [line for line in ax.lines if line.get_marker() == "|"][0]
    assert list(target_line.get_xdata()) == [200, 55]
    assert ".." in [t.get_text() for t in ax.texts]
    assert any(NOTE in t.get_text() for t in result.fig.texts)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Jobbstegen", "Framtidsverkstan", "Lotsen"]


# ---------------------------------------------------------------------------
# SCB figures
# ---------------------------------------------------------------------------


def test_helarsekvivalenter_partial_year_and_labels():
    result = plots.helarsekvivalenter_by_ersattning(helarsekvivalenter_yearly())
    ax = result.fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2022", "2023", "2024", "2025*"]
    assert shown_bars(ax) == 4 * 6  # six stacked ersättningar, summa not stacked
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-1] == "Sjukpenning" and "Sjuk- och aktivitetsersättning" in legend and len(legend) == 6
    notes = " ".join(t.get_text() for t in result.fig.texts)
    assert "* Ofullständigt år" in notes and "2025 (6 av 12 månader)" in notes
    assert any(t.get_text().startswith("Källa: SCB") for t in result.fig.texts)


def test_share_per_kommun_year_and_riket_line():
    result = plots.share_per_kommun(per_kommun(), year=2023)
    ax = result.fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Norsjö", "Skellefteå"]
    assert shown_bars(ax) == 2
    ref = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert ref and ref[0].get_xdata()[0] == pytest.approx(0.124)
    assert "2023" in result.title and "Riket: 12,4 %" in nb(result.alt)
    # Names given directly; riket as a keyword.
    direct = pd.DataFrame({"kommun": ["A-by", "B-stad"], "andel": [0.1, 0.2]})
    result = plots.share_per_kommun(direct, riket=0.15)
    assert [t.get_text() for t in result.fig.axes[0].get_yticklabels()] == ["B-stad", "A-by"]


def test_percentages_are_rejected():
    with pytest.raises(ValueError, match="andelar"):
        plots.share_against_riket(pd.Series([14.2], index=[2024]), pd.Series([12.1], index=[2024]))
    with pytest.raises(ValueError, match="andelar"):
        plots.offentlig_forsorjning_before_after(62, 41)


def test_monthly_share_against_riket_has_month_axis():
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    f = pd.Series(np.linspace(0.15, 0.14, 12), index=months)
    r = pd.Series(np.linspace(0.13, 0.12, 12), index=months)
    result = plots.share_against_riket(f, r)
    labels = [t.get_text() for t in result.fig.axes[0].get_xticklabels()]
    assert "jan 2024" in labels
    assert "dec 2024: 14,0 % mot 12,0 % i riket" in nb(result.alt)


def test_empty_inputs_give_a_figure_that_says_so():
    empty = plots.active_per_month(pd.Series([], dtype="float64", index=pd.DatetimeIndex([])))
    assert "Inga uppgifter att visa." in [t.get_text() for t in empty.fig.axes[0].texts]
    assert "inga värden" in empty.alt
    he = plots.helarsekvivalenter_by_ersattning(helarsekvivalenter_yearly().iloc[:0])
    assert "inga värden" in he.alt
    assert plots.figure_to_png_bytes(he.fig).startswith(PNG_SIGNATURE)


def test_source_and_synthetic_marker():
    result = plots.offentlig_forsorjning_before_after(0.5, 0.4, source="SUS", synthetic=True)
    source = result.fig.texts[-1].get_text()
    assert source.startswith("Källa: SUS") and "SYNTETISKA DATA" in source


# ---------------------------------------------------------------------------
# On the synthetic sample, computed the way the report does
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from finsam_analysis import load_dataset
    from finsam_analysis.synthetic.sample import write_sample

    root = tmp_path_factory.mktemp("sample")
    write_sample(root, n_forbund=2)
    return load_dataset(root)


def test_figures_from_the_sample(sample, tmp_path):
    from finsam_analysis.scb import population as ff
    from finsam_analysis.measures import outcomes
    from finsam_analysis.measures.key_figures import forbund_participations
    from finsam_analysis.periods import parse_period

    fid = sample.forbund["forbund_id"].iloc[0]
    d = forbund_participations(sample, fid)
    period = parse_period("2024")
    results = []

    series = outcomes.monthly_active(d, pd.Timestamp("2022-01-01"), pd.Timestamp("2024-12-01"))
    pt = disclosure_tables.protect_table(series.to_frame(), margins=False)
    results.append(plots.active_per_month(pt))

    by = outcomes.summary_by(d, period, "kon")
    cols = ["avslutade_deltaganden", "arbete_studier", "andel_arbete_studier", "ci_low", "ci_high"]
    share_of = ("arbete_studier", "avslutade_deltaganden")
    pt = disclosure_tables.protect_table(
        by[cols], margins=False, shares={"andel_arbete_studier": share_of, "ci_low": share_of, "ci_high": share_of}
    )
    results.append(plots.outcome_shares(pt))

    avslutade = d.loc[outcomes.ended(d, period)]
    results.append(plots.transition_heatmap(disclosure_tables.protect_table(outcomes.forsorjning_transition(avslutade))))

    table = outcomes.insatser_mot_mal(d, sample.insatser.loc[sample.insatser["forbund_id"] == fid],
                                      sample.insats_ekonomi, period)
    results.append(plots.insatser_against_targets(table))

    if sample.helarsekvivalenter is not None:
        he = sample.helarsekvivalenter
        yearly = ff.yearly(ff.forbund_monthly(he, sample.medlemmar, fid))
        riket = ff.yearly(ff.riket_monthly(he))
        results.append(plots.helarsekvivalenter_by_ersattning(yearly))
        results.append(plots.share_against_riket(yearly["andel"], riket["andel"]))
        results.append(plots.share_per_kommun(ff.per_kommun_yearly(he, sample.medlemmar, fid),
                                              riket=float(riket["andel"].iloc[-1])))
    for result in results:
        assert plots.figure_to_png_bytes(result.fig).startswith(PNG_SIGNATURE)
        assert result.alt and result.title
        plots.close(result)
    assert plt.get_fignums() == []


@pytest.mark.parametrize("name", list(BUILDERS))
def test_png_as_built_is_drawn_once_with_the_builders_layout(name):
    import io

    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from PIL import Image

    default = BUILDERS[name][0]()
    fresh = BUILDERS[name][0]()
    engine = fresh.fig.get_layout_engine()
    draws = []
    real_draw = type(fresh.fig).draw
    fresh.fig.draw = lambda renderer: (draws.append(1), real_draw(fresh.fig, renderer))[1]
    png = plots.figure_to_png_bytes(fresh.fig, as_built=True)
    # One draw (a plain savefig draws twice: a layout pass, then the picture),
    # and the layout engine is back for anyone who changes the figure later.
    assert len(draws) == 1
    assert fresh.fig.get_layout_engine() is engine and isinstance(engine, ConstrainedLayoutEngine)
    assert plots.figure_to_png_bytes(fresh.fig, as_built=True) == png  # deterministic
    # The same picture as after matplotlib's own layout pass: same size, and at
    # most a sliver of anti-aliased pixels different where the layout had not
    # quite settled (a legend outside the axes).
    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(io.BytesIO(plots.figure_to_png_bytes(default.fig))).convert("RGB"), dtype=int)
    assert a.shape == b.shape
    assert (np.abs(a - b).sum(axis=2) > 0).mean() < 0.02
    plots.close(default)
    plots.close(fresh)


def test_png_as_built_lays_out_again_at_another_resolution():
    result = BUILDERS["active_per_month"][0]()
    draws = []
    real_draw = type(result.fig).draw
    result.fig.draw = lambda renderer: (draws.append(1), real_draw(result.fig, renderer))[1]
    plots.figure_to_png_bytes(result.fig, dpi=60, as_built=True)
    assert len(draws) == 2  # the layout was made at PNG_DPI, so it is made again
    plots.close(result)


def test_png_as_built_ignores_a_users_layout_settings():
    # A user's global rcParams asking for tight or constrained layout must not
    # bring a layout pass (or a different engine) back into the save.
    result = BUILDERS["transition_heatmap"][0]()  # has a colorbar: engines cannot be swapped freely
    expected = plots.figure_to_png_bytes(BUILDERS["transition_heatmap"][0]().fig, as_built=True)
    engine = result.fig.get_layout_engine()
    with matplotlib.rc_context({"figure.autolayout": True, "figure.constrained_layout.use": True}):
        png = plots.figure_to_png_bytes(result.fig, as_built=True)
    assert png == expected
    assert result.fig.get_layout_engine() is engine
    plots.close(result)
