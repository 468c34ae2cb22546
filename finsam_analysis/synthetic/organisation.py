"""The förbund of the sample, their insatser and the budgets of the insatser."""

from __future__ import annotations


import numpy as np
import pandas as pd

from finsam_analysis import reference
from finsam_analysis.synthetic.parameters import ALLA, INDIVID, INDIVID_TEMPLATES, NEW_MAX, NEW_MIN, POPULATION_K, POP_MAX_K, POP_MIN_K, STRUKTUR, STRUKTUR_TEMPLATES, SYNTHETIC_MEMBER_FROM, TEMPLATE_PROFILE, TEMPLATE_VOLUME, date_text, to_day


def choose_forbund(n_forbund: int | None, kommuner: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    fb, med = reference.forbund_catalogue()
    n_cat = len(fb)
    n = n_cat if n_forbund is None else int(n_forbund)
    if n < 1:
        raise ValueError("n_forbund måste vara minst 1.")
    chosen = fb.iloc[: min(n, n_cat)][["forbund_id", "namn", "organisationsnummer"]].reset_index(drop=True)
    order = {f: i for i, f in enumerate(chosen["forbund_id"])}
    members = med[med["forbund_id"].isin(order)][["forbund_id", "kommunkod", "giltig_from", "giltig_tom"]]
    members = members.assign(_o=members["forbund_id"].map(order)).sort_values("_o", kind="stable")
    members = members.drop(columns="_o").reset_index(drop=True)
    if n > n_cat:
        used = set(med["kommunkod"])
        free = kommuner[~kommuner["kommunkod"].isin(used)].sort_values("kommunkod", kind="stable")
        if len(free) < n - n_cat:
            raise ValueError(
                f"n_forbund={n} är för stort: katalogen har {n_cat} förbund och bara "
                f"{len(free)} kommuner står utanför dem."
            )
        extra = free.iloc[: n - n_cat]
        ids = "syntet_" + extra["kommunkod"].to_numpy(dtype=object)
        chosen = pd.concat(
            [chosen, pd.DataFrame({
                "forbund_id": ids,
                "namn": "Syntetiskt samordningsförbund " + extra["kommun"].to_numpy(dtype=object),
                "organisationsnummer": "",
            })],
            ignore_index=True,
        )
        members = pd.concat(
            [members, pd.DataFrame({
                "forbund_id": ids,
                "kommunkod": extra["kommunkod"].to_numpy(dtype=object),
                "giltig_from": pd.Timestamp(SYNTHETIC_MEMBER_FROM),
                "giltig_tom": pd.NaT,
            })],
            ignore_index=True,
        )
    members["giltig_from"] = pd.to_datetime(members["giltig_from"]).astype("datetime64[ns]")
    members["giltig_tom"] = pd.to_datetime(members["giltig_tom"]).astype("datetime64[ns]")
    return chosen, members


def forbund_size(rng: np.random.Generator, fids: list[str]) -> np.ndarray:
    """New participations per year (before yearly variation) of each förbund."""
    pop = np.array([POPULATION_K.get(f, np.nan) for f in fids])
    unknown = np.isnan(pop)
    pop[unknown] = rng.uniform(8, 45, unknown.sum())
    rel = np.sqrt(np.clip((pop - POP_MIN_K) / (POP_MAX_K - POP_MIN_K), 0, 1))
    return NEW_MIN + (NEW_MAX - NEW_MIN) * rel


def make_insatser(
    rng: np.random.Generator,
    forbund: pd.DataFrame,
    medlemmar: pd.DataFrame,
    size: np.ndarray,
    y0: int,
    y1: int,
) -> pd.DataFrame:
    """One row per insats with its parameters (dates as datetime64[D])."""
    formed = medlemmar.groupby("forbund_id", sort=False)["giltig_from"].min()
    parts = []
    for f_idx, fid in enumerate(forbund["forbund_id"]):
        start_f = np.datetime64(formed[fid].date(), "D")
        parts.append(_forbund_insatser(rng, fid, start_f, size[f_idx], y0, y1))
    ins = pd.concat(parts, ignore_index=True)
    ins["startdatum"] = ins["startdatum"].to_numpy("datetime64[D]")
    ins["slutdatum"] = ins["slutdatum"].to_numpy("datetime64[D]")
    return ins


def _forbund_insatser(rng, fid: str, start_f, size: float, y0: int, y1: int) -> pd.DataFrame:
    """A förbund's 3–8 insatser: individinriktade (the first its long-running core) and strukturövergripande."""
    s = (size - NEW_MIN) / (NEW_MAX - NEW_MIN)
    k = int(np.clip(np.round(3.3 + 4.5 * s + rng.normal(0, 0.9)), 3, 8))
    n_struct = 1 + int(k >= 7 and rng.random() < 0.4)
    n_ind = k - n_struct
    # The core insats is broad (all ages); the others are drawn from the rest.
    broad = np.flatnonzero(TEMPLATE_PROFILE == ALLA)
    core = broad[rng.integers(0, len(broad))]
    rest = np.setdiff1d(np.arange(len(INDIVID_TEMPLATES)), [core])
    ti = np.r_[core, rng.choice(rest, n_ind - 1, replace=False)]
    ts = rng.choice(len(STRUKTUR_TEMPLATES), n_struct, replace=False)
    start, end = _individ_dates(rng, n_ind, start_f, y0, y1)
    s_start, s_end = _struktur_dates(rng, n_struct, start_f, y0, y1)

    order = np.r_[0, 1 + np.argsort(start[1:], kind="stable")]  # the core insats first
    tmpl = [INDIVID_TEMPLATES[i] for i in ti]
    base_rate = rng.uniform(0.32, 0.54, n_ind)
    weight = (rng.gamma(4.0, 0.25, n_ind) + 0.3) * TEMPLATE_VOLUME[ti]
    weight[0] *= 1.5
    ind = pd.DataFrame({
        "forbund_id": fid,
        "namn": [tmpl[i][0] for i in order],
        "typ": INDIVID,
        "startdatum": start[order],
        "slutdatum": end[order],
        "malgrupp": [tmpl[i][1] for i in order],
        "profil": [tmpl[i][2] for i in order],
        "kvinnoandel": [tmpl[i][3] for i in order],
        "utfall": base_rate[order],
        "vikt": weight[order],
    })
    struct = pd.DataFrame({
        "forbund_id": fid,
        "namn": [STRUKTUR_TEMPLATES[i][0] for i in ts],
        "typ": STRUKTUR,
        "startdatum": s_start,
        "slutdatum": s_end,
        "malgrupp": [STRUKTUR_TEMPLATES[i][1] for i in ts],
        "profil": -1,
        "kvinnoandel": np.nan,
        "utfall": np.nan,
        "vikt": 0.0,
    })
    both = pd.concat([ind, struct], ignore_index=True)
    both.insert(0, "insats_id", [f"{fid}_{i + 1:02d}" for i in range(len(both))])
    return both


def _individ_dates(rng, n_ind: int, start_f, y0: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of the individinriktade: a few new ones in the period, some old ones close."""
    start_year = rng.integers(y0 - 9, y0, n_ind)
    start = to_day(start_year, rng.integers(1, 13, n_ind))
    n_new = 0 if n_ind < 2 else (1 if n_ind < 4 else int(rng.integers(1, 3)))
    new = np.zeros(n_ind, bool)
    new[1 : 1 + n_new] = True
    new_year = rng.integers(y0 + 1, y1 + 1, n_ind) if y1 > y0 else np.full(n_ind, y0)
    new_month = np.where(y1 > y0, rng.integers(1, 10, n_ind), rng.integers(2, 6, n_ind))
    start = np.where(new, to_day(new_year, new_month), start)
    start = np.maximum(start, start_f)
    end = np.full(n_ind, np.datetime64("NaT"), "datetime64[D]")
    # Some older insatser close during the period, some new ones are 3-year projects.
    closes = ~new & (rng.random(n_ind) < 0.3)
    closes[0] = False
    close_year = rng.integers(y0, y1, n_ind) if y1 > y0 else np.full(n_ind, y0)
    close_at = np.where(rng.random(n_ind) < 0.5, to_day(close_year, 6, 30), to_day(close_year, 12, 31))
    end = np.where(closes, np.maximum(close_at, start + 400), end)
    project = new & (rng.random(n_ind) < 0.5)
    end = np.where(project, to_day(start.astype("datetime64[Y]").astype(int) + 1970 + 3, 1) - 1, end)
    return start, end


def _struktur_dates(rng, n_struct: int, start_f, y0: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of the strukturövergripande (at least a year each)."""
    s_start = np.maximum(to_day(rng.integers(y0 - 6, y0, n_struct), rng.integers(1, 13, n_struct)), start_f)
    s_end = np.where(
        rng.random(n_struct) < 0.35,
        to_day(rng.integers(y0, y1 + 1, n_struct), 12, 31),
        np.datetime64("NaT"),
    ).astype("datetime64[D]")
    s_end = np.maximum(s_end, s_start + 365)  # NaT (still running) stays NaT
    return s_start, s_end


def set_targets(
    rng: np.random.Generator, insatser: pd.DataFrame, rows: dict[str, np.ndarray], y0: int, y1: int
) -> pd.DataFrame:
    """mal_deltagare_per_ar and mal_andel_arbete_studier from the generated volumes."""
    ins = insatser.copy()
    counts = []
    for year in range(y0, y1 + 1):
        s, e = to_day(year, 1, 1), to_day(year, 12, 31)
        active = (rows["startdatum"] <= e) & (np.isnat(rows["slutdatum"]) | (rows["slutdatum"] >= s))
        per = pd.DataFrame({"i": rows["insats_id"][active], "p": rows["person"][active]})
        counts.append(per.drop_duplicates().groupby("i").size())
    mean_active = pd.concat(counts, axis=1).mean(axis=1)
    individ = (ins["typ"] == INDIVID).to_numpy()
    actual = ins["insats_id"].map(mean_active).to_numpy(float)
    actual = np.where(np.isnan(actual), 20.0, actual)
    target = np.maximum(5, np.round(actual * rng.uniform(0.85, 1.25, len(ins)) / 5) * 5)
    ins["mal_deltagare_per_ar"] = np.where(individ, target, np.nan)
    share = np.clip(ins["utfall"].to_numpy() + rng.normal(0, 0.04, len(ins)), 0.30, 0.50)
    ins["mal_andel_arbete_studier"] = np.where(individ, np.round(share / 0.05) * 0.05, np.nan)
    return ins


def insatser_frame(ins: pd.DataFrame) -> pd.DataFrame:
    individ = ins["typ"] == INDIVID
    mal = ins["mal_deltagare_per_ar"].to_numpy()
    andel = ins["mal_andel_arbete_studier"].to_numpy()
    return pd.DataFrame({
        "insats_id": ins["insats_id"],
        "forbund_id": ins["forbund_id"],
        "namn": ins["namn"],
        "typ": ins["typ"],
        "startdatum": date_text(ins["startdatum"].to_numpy("datetime64[D]")),
        "slutdatum": date_text(ins["slutdatum"].to_numpy("datetime64[D]")),
        "malgrupp": ins["malgrupp"],
        "mal_deltagare_per_ar": np.where(individ, np.nan_to_num(mal).astype(np.int64).astype(str), ""),
        "mal_andel_arbete_studier": np.where(individ, np.char.mod("%.2f", np.nan_to_num(andel)), ""),
        # Every third individinriktad insats measures its target 90 days after exit (no draw: the rest is unchanged).
        "mal_inom_dagar": np.where(individ & (np.arange(len(ins)) % 3 == 0), "90", ""),
    })


def make_ekonomi(rng: np.random.Generator, ins: pd.DataFrame, y0: int, y1: int) -> pd.DataFrame:
    """Budget and utfall per insats and year it runs (whole kronor)."""
    n_years = y1 - y0 + 1
    idx = np.repeat(np.arange(len(ins)), n_years)
    year = np.tile(np.arange(y0, y1 + 1), len(ins))
    s, e = to_day(year, 1, 1), to_day(year, 12, 31)
    start = ins["startdatum"].to_numpy("datetime64[D]")[idx]
    end = ins["slutdatum"].to_numpy("datetime64[D]")[idx]
    end = np.where(np.isnat(end), e, np.minimum(end, e))
    first = np.maximum(start, s)
    days = (end - first).astype(np.int64) + 1
    runs = days > 0
    coverage = np.clip(days / ((e - s).astype(np.int64) + 1), 0, 1)

    individ = (ins["typ"] == INDIVID).to_numpy()
    target = np.nan_to_num(ins["mal_deltagare_per_ar"].to_numpy(float))
    base = np.where(
        individ,
        np.clip(target * rng.uniform(15_000, 28_000, len(ins)), 500_000, 4_000_000),
        rng.uniform(500_000, 1_500_000, len(ins)),
    )[idx]
    growth = 1.03 ** (year - y0)
    budget = base * growth * np.maximum(coverage, 0.35) * rng.uniform(0.95, 1.05, len(idx))
    budget = np.clip(np.round(budget / 10_000) * 10_000, 500_000, 4_000_000)
    utfall = np.round(budget * rng.uniform(0.85, 1.05, len(idx)))
    frame = pd.DataFrame({
        "insats_id": ins["insats_id"].to_numpy(dtype=object)[idx],
        "ar": year.astype(str),
        "budget_kr": budget.astype(np.int64).astype(str),
        "utfall_kr": utfall.astype(np.int64).astype(str),
    })
    return frame[runs].reset_index(drop=True)


def make_forbund_ekonomi(
    rng: np.random.Generator, medlemmar: pd.DataFrame, insats_ekonomi: pd.DataFrame, insatser: pd.DataFrame
) -> pd.DataFrame:
    """Each förbund's economy per year (``forbund_ekonomi.csv``), consistent with its insatser.

    Costs for insatser are the year's utfall of its insatser; administration
    and other costs a share of them. The contributions roughly cover the
    costs and follow the statutory split (Försäkringskassan half, region a
    quarter, the kommuner a quarter); every other förbund with several
    kommuner writes its agreement's shares (``avtalad_andel``), the others
    leave the split to folkmängd. Drawn from their own generator, so the
    other files stay as they were.
    """
    money = insats_ekonomi.assign(
        forbund_id=insats_ekonomi["insats_id"].map(insatser.set_index("insats_id")["forbund_id"]),
        ar=insats_ekonomi["ar"].astype(int), utfall_kr=insats_ekonomi["utfall_kr"].astype(float),
    )
    rows: list[dict] = []
    for n, ((fid, year), part) in enumerate(money.groupby(["forbund_id", "ar"], sort=True)):
        insats_cost = float(part["utfall_kr"].sum())
        admin = round(insats_cost * rng.uniform(0.10, 0.15))
        other = round(insats_cost * rng.uniform(0.01, 0.03))
        total = round((insats_cost + admin + other) * rng.uniform(0.95, 1.05) / 10_000) * 10_000
        post = lambda p, amount, kod="", share="": rows.append(  # noqa: E731
            {"forbund_id": fid, "ar": year, "post": p, "kommunkod": kod, "belopp_kr": int(amount),
             "avtalad_andel": share})  # fmt: skip
        post("medlemsavgift_forsakringskassan", total * 0.5)
        post("medlemsavgift_region", total * 0.25)
        _kommun_posts(rng, post, _members_in(medlemmar, fid, year), total * 0.25, agreed=n % 2 == 0)
        if rng.random() < 0.5:
            post("ovriga_intakter", round(total * rng.uniform(0.0, 0.02)))
        post("kostnad_insatser", insats_cost)
        post("kostnad_administration", admin)
        post("kostnad_ovrigt", other)
    return pd.DataFrame(rows, columns=["forbund_id", "ar", "post", "kommunkod", "belopp_kr", "avtalad_andel"])


def _members_in(medlemmar: pd.DataFrame, fid: str, year: int) -> list[str]:
    m = medlemmar.loc[medlemmar["forbund_id"] == fid]
    start = pd.to_datetime(m["giltig_from"]).dt.year
    end = pd.to_datetime(m["giltig_tom"]).dt.year
    return sorted(m.loc[(start <= year) & (end.isna() | (end >= year)), "kommunkod"].astype(str))


def _kommun_posts(rng: np.random.Generator, post, kommuner: list[str], quarter: float, agreed: bool) -> None:
    """One contribution per member kommun: the agreed shares (two decimals, summing to 1) or none written."""
    weights = rng.dirichlet(np.full(len(kommuner), 4.0)) if kommuner else np.array([])
    shares = np.round(weights, 2)
    if len(shares):
        shares[-1] = round(1 - shares[:-1].sum(), 2)
    for kod, share in zip(kommuner, shares):
        post("medlemsavgift_kommun", round(quarter * share), kod, f"{share:.2f}" if agreed and len(kommuner) > 1 else "")


#: Targets of a strukturövergripande insats in a verksamhetsplan (``{ar}`` and ``{n}`` are filled in).
STRUKTUR_MAL = (
    "En lokal överenskommelse om samverkan är beslutad senast den 31 december {ar}",
    "Minst {n} utbildningstillfällen för parternas personal under {ar}",
    "En gemensam kartläggning av målgruppen är klar under {ar}",
)
MAL_KOMMENTAR = {
    "uppnatt": "Genomfört enligt plan.",
    "delvis": "Arbetet pågår; försenat av personalbyten hos en part.",
    "ej_uppnatt": "Prioriterades ned av styrelsen under året.",
    "pagar": "Följs upp i årsredovisningen.",
}


def add_deltagare_personal(rng: np.random.Generator, ekonomi: pd.DataFrame, ins: pd.DataFrame) -> pd.DataFrame:
    """``insats_ekonomi`` with the parterna's staff taking part in each strukturövergripande insats and year."""
    typ = ekonomi["insats_id"].map(ins.set_index("insats_id")["typ"])
    staff = rng.integers(8, 120, len(ekonomi))
    return ekonomi.assign(deltagare_personal=np.where(typ == STRUKTUR, staff.astype(str), ""))


def make_insats_mal(rng: np.random.Generator, ins: pd.DataFrame, ekonomi: pd.DataFrame, y1: int) -> pd.DataFrame:
    """The verksamhetsplan's targets per insats and year it has money, with a status (``pagar`` only in the last year)."""
    by_id = ins.set_index("insats_id")
    rows = []
    for insats_id, ar in zip(ekonomi["insats_id"], ekonomi["ar"].astype(int)):
        r = by_id.loc[insats_id]
        if r["typ"] == STRUKTUR:
            targets = [STRUKTUR_MAL[int(k)].format(ar=ar, n=int(rng.integers(3, 12)))
                       for k in sorted(rng.choice(len(STRUKTUR_MAL), 2, replace=False))]  # fmt: skip
        else:
            targets = [f"Minst {int(r['mal_deltagare_per_ar'])} deltagare under året",
                       f"Minst {round(100 * float(r['mal_andel_arbete_studier']))} % av de avslutade går till "
                       "arbete eller studier"]  # fmt: skip
        for mal in targets:
            last = ar == y1  # the year of the latest verksamhetsplan: some targets are still open
            status = str(rng.choice(["uppnatt", "delvis", "ej_uppnatt", "pagar"],
                                    p=[0.45, 0.25, 0.1, 0.2] if last else [0.6, 0.3, 0.1, 0.0]))  # fmt: skip
            rows.append({"insats_id": insats_id, "ar": ar, "mal": mal, "status": status,
                         "kommentar": MAL_KOMMENTAR[status]})  # fmt: skip
    return pd.DataFrame(rows, columns=["insats_id", "ar", "mal", "status", "kommentar"])
