"""Tests of the reference data shipped in finsam_analysis/data (docs/dataformat.md §11)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_analysis import reference
from finsam_analysis.reference import (
    KOMMUNKODER,
    forbund_catalogue,
    is_kommunkod,
    kommun_namn,
    kommunkoder,
    kommuner,
    lan,
    normalise_kommunkod,
)

# --------------------------------------------------------------------------
# kommuner and län
# --------------------------------------------------------------------------


def test_kommuner_shape_and_dtypes():
    table = kommuner()
    assert list(table.columns) == ["kommunkod", "kommun", "lanskod", "lan"]
    assert len(table) == 290
    for column in table.columns:
        assert pd.api.types.is_string_dtype(table[column]), column
        assert table[column].notna().all(), column
        assert (table[column] != "").all(), column


def test_lan_shape():
    table = lan()
    assert list(table.columns) == ["lanskod", "lan"]
    assert len(table) == 21
    assert table["lanskod"].is_unique
    assert table["lanskod"].str.fullmatch(r"\d{2}").all()
    assert table["lan"].str.endswith(" län").all()


def test_codes_unique_and_four_digits():
    table = kommuner()
    assert table["kommunkod"].is_unique
    assert table["kommunkod"].str.fullmatch(r"\d{4}").all()
    assert table["kommun"].is_unique


def test_lanskod_is_prefix_and_exists():
    table = kommuner()
    assert (table["lanskod"] == table["kommunkod"].str[:2]).all()
    assert set(table["lanskod"]) == set(lan()["lanskod"])
    joined = table.merge(lan(), on="lanskod", suffixes=("", "_lan"))
    assert (joined["lan"] == joined["lan_lan"]).all()


def test_known_kommuner():
    assert kommun_namn("0114") == "Upplands Väsby"
    assert kommun_namn("0180") == "Stockholm"
    assert kommun_namn("0980") == "Gotland"
    assert kommun_namn("2482") == "Skellefteå"
    table = kommuner().set_index("kommunkod")
    assert table.loc["0980", "lan"] == "Gotlands län"
    assert table.loc["1482", "lan"] == "Västra Götalands län"


def test_kommun_namn_unknown_raises_swedish_message():
    with pytest.raises(KeyError, match="Okänd kommunkod"):
        kommun_namn("9999")
    with pytest.raises(KeyError, match="Okänd kommunkod"):
        kommun_namn("180")


def test_kommunkoder_constant():
    assert isinstance(KOMMUNKODER, frozenset)
    assert KOMMUNKODER == kommunkoder() == frozenset(kommuner()["kommunkod"])
    assert len(KOMMUNKODER) == 290


def test_results_are_copies():
    first = kommuner()
    first.loc[0, "kommun"] = "Ändrad"
    del first["lan"]
    assert kommuner().loc[0, "kommun"] == "Upplands Väsby"
    assert "lan" in kommuner().columns

    lan_table = lan()
    lan_table.loc[0, "lan"] = "Ändrad"
    assert lan()["lan"].iloc[0] == "Stockholms län"

    forbund, medlemmar = forbund_catalogue()
    forbund.loc[0, "namn"] = "Ändrad"
    medlemmar["kommunkod"] = "9999"
    del medlemmar["giltig_from"]
    forbund2, medlemmar2 = forbund_catalogue()
    assert forbund2.loc[0, "namn"] == "Samordningsförbundet Skellefteå"
    assert is_kommunkod(medlemmar2["kommunkod"]).all()
    assert "giltig_from" in medlemmar2.columns


def test_is_kommunkod():
    values = pd.Series(["0180", "180", 180, None, "abc", " 0180", "2584"], index=list("abcdefg"))
    result = is_kommunkod(values)
    assert result.dtype == bool
    assert list(result.index) == list("abcdefg")
    assert result.tolist() == [True, False, False, False, False, False, True]


# --------------------------------------------------------------------------
# Cross-check against the independent CC0 copy in ../shared/reference
# --------------------------------------------------------------------------


def _reference_dir() -> Path:
    candidates = []
    env = os.environ.get("FINSAM_REFERENCE_DIR")
    if env:
        candidates.append(Path(env))
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "reference")
    for folder in candidates:
        if (folder / "municipalities.csv").is_file() and (folder / "counties.csv").is_file():
            return folder
    pytest.skip(
        "reference folder with municipalities.csv and counties.csv not found "
        f"(looked in {', '.join(str(c) for c in candidates)}; set FINSAM_REFERENCE_DIR)"
    )


@pytest.fixture(scope="module")
def reference_dir() -> Path:
    return _reference_dir()


def _read_reference(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_kommuner_agree_with_reference(reference_dir):
    ref = _read_reference(reference_dir / "municipalities.csv")
    ref = ref[["municipality_code", "municipality_name_short", "county_code"]].rename(
        columns={
            "municipality_code": "kommunkod",
            "municipality_name_short": "kommun",
            "county_code": "lanskod",
        }
    )
    ours = kommuner()[["kommunkod", "kommun", "lanskod"]]
    ref = ref.sort_values("kommunkod").reset_index(drop=True).astype(str)
    ours = ours.sort_values("kommunkod").reset_index(drop=True).astype(str)
    assert set(ours["kommunkod"]) == set(ref["kommunkod"])
    merged = ours.merge(ref, on="kommunkod", suffixes=("", "_ref"))
    wrong_name = merged[merged["kommun"] != merged["kommun_ref"]]
    wrong_lan = merged[merged["lanskod"] != merged["lanskod_ref"]]
    assert wrong_name.empty, wrong_name.to_string()
    assert wrong_lan.empty, wrong_lan.to_string()


def test_lan_agree_with_reference(reference_dir):
    ref = _read_reference(reference_dir / "counties.csv")
    ref_map = dict(zip(ref["county_code"], ref["county_name"], strict=True))
    ours_map = dict(zip(lan()["lanskod"], lan()["lan"], strict=True))
    assert ours_map == ref_map


# --------------------------------------------------------------------------
# Förbund catalogue
# --------------------------------------------------------------------------

EXPECTED_FORBUND = [
    "skelleftea",
    "alv_och_kust",
    "vasterbergslagen",
    "hbs",
    "stockholms_stad",
    "sodertalje",
    "sodra_roslagen",
    "varna",
    "ostra_sodertorn",
    "sollentuna_upplands_vasby_sigtuna",
    "uppsala_lan",
    "karlskoga_degerfors",
    "badesa",
    "mittskane",
    "kavlinge_lomma",
    "burlov_staffanstorp",
    "harnosand_timra",
    "arvika_eda",
    "finnveden",
    "sodra_vatterbygden",
    "sydnarke",
    "ange",
    "gavleborg",
    "kalmar_lan",
    "blekinge",
    "ostra_ostergotland",
    "norra_bohuslan",
]


@pytest.fixture(scope="module")
def catalogue() -> tuple[pd.DataFrame, pd.DataFrame]:
    return forbund_catalogue()


def _members_on(medlemmar: pd.DataFrame, forbund_id: str, day: str) -> set[str]:
    """Member kommunkoder of a förbund valid on ``day``, computed from the validity columns."""
    when = pd.Timestamp(day)
    rows = medlemmar[medlemmar["forbund_id"] == forbund_id]
    valid = (rows["giltig_from"] <= when) & (rows["giltig_tom"].isna() | (rows["giltig_tom"] >= when))
    return set(rows.loc[valid, "kommunkod"])


def test_catalogue_columns_and_order(catalogue):
    forbund, medlemmar = catalogue
    assert list(forbund.columns) == ["forbund_id", "namn", "organisationsnummer", "status", "kommentar"]
    assert list(medlemmar.columns) == [
        "forbund_id",
        "kommunkod",
        "giltig_from",
        "giltig_tom",
        "status",
        "kommentar",
    ]
    assert forbund["forbund_id"].tolist() == EXPECTED_FORBUND
    assert forbund["forbund_id"].is_unique
    assert forbund["forbund_id"].str.fullmatch(r"[a-z0-9_]+").all()
    assert forbund["namn"].notna().all()
    assert forbund["organisationsnummer"].isna().all()


def test_catalogue_members_valid(catalogue):
    forbund, medlemmar = catalogue
    assert is_kommunkod(medlemmar["kommunkod"]).all(), medlemmar.loc[
        ~is_kommunkod(medlemmar["kommunkod"])
    ]
    assert set(medlemmar["forbund_id"]) == set(forbund["forbund_id"])
    assert pd.api.types.is_datetime64_any_dtype(medlemmar["giltig_from"])
    assert pd.api.types.is_datetime64_any_dtype(medlemmar["giltig_tom"])
    assert medlemmar["giltig_from"].notna().all()
    assert medlemmar["giltig_tom"].isna().all()  # every listed kommun is still a member
    assert not medlemmar.duplicated(["forbund_id", "kommunkod", "giltig_from"]).any()
    # no kommun belongs to two förbund at the same time
    assert not medlemmar.duplicated("kommunkod").any()


def test_catalogue_status_values(catalogue):
    forbund, medlemmar = catalogue
    assert set(forbund["status"]) <= {"verified", "likely"}
    assert set(medlemmar["status"]) <= {"verified", "likely"}


def test_catalogue_default_start_is_marked(catalogue):
    _, medlemmar = catalogue
    default = medlemmar["giltig_from"] == pd.Timestamp("2004-01-01")
    assert (medlemmar.loc[default, "kommentar"] == "startdatum ej verifierat").all()
    assert medlemmar["giltig_from"].min() >= pd.Timestamp("2004-01-01")


def test_catalogue_formation_dates(catalogue):
    _, medlemmar = catalogue
    by_id = medlemmar.groupby("forbund_id")["giltig_from"].min()
    assert by_id["skelleftea"] == pd.Timestamp("2005-12-01")
    assert by_id["sollentuna_upplands_vasby_sigtuna"] == pd.Timestamp("2017-01-01")
    assert by_id["alv_och_kust"] == pd.Timestamp("2005-01-01")


def test_alv_och_kust_history(catalogue):
    _, medlemmar = catalogue
    assert _members_on(medlemmar, "alv_och_kust", "2008-03-31") == {"1482"}
    assert _members_on(medlemmar, "alv_och_kust", "2008-04-01") == {"1482", "1440", "1415", "1419"}
    assert _members_on(medlemmar, "alv_och_kust", "2017-12-31") == {"1482", "1440", "1415", "1419"}
    assert _members_on(medlemmar, "alv_och_kust", "2018-01-01") == {
        "1482",
        "1440",
        "1415",
        "1419",
        "1407",
    }
    assert _members_on(medlemmar, "alv_och_kust", "2004-12-31") == set()
    ockero = medlemmar[(medlemmar["forbund_id"] == "alv_och_kust") & (medlemmar["kommunkod"] == "1407")]
    assert ockero["status"].tolist() == ["likely"]


@pytest.mark.parametrize(
    ("forbund_id", "prefix", "count"),
    [("uppsala_lan", "03", 8), ("gavleborg", "21", 10), ("kalmar_lan", "08", 12), ("blekinge", "10", 5)],
)
def test_whole_lan_forbund(catalogue, forbund_id, prefix, count):
    _, medlemmar = catalogue
    expected = set(kommuner().loc[lambda t: t["kommunkod"].str.startswith(prefix), "kommunkod"])
    assert len(expected) == count
    assert _members_on(medlemmar, forbund_id, "2024-01-01") == expected


def test_catalogue_members_follow_forbund_status(catalogue):
    forbund, medlemmar = catalogue
    status = medlemmar.merge(forbund[["forbund_id", "status"]], on="forbund_id", suffixes=("", "_forbund"))
    differs = status[status["status"] != status["status_forbund"]]
    # The only documented exception: Öckerö's entry date into Älv & Kust is "likely".
    assert list(zip(differs["forbund_id"], differs["kommunkod"])) == [("alv_och_kust", "1407")]


# --------------------------------------------------------------------------
# normalise_kommunkod
# --------------------------------------------------------------------------


def test_normalise_kommunkod_examples():
    raw = pd.Series([180, 180.0, "0180", " 2482 ", "abc", None], dtype=object, name="kommun")
    result = normalise_kommunkod(raw)
    assert result.name == "kommun"
    assert result.iloc[:5].tolist() == ["0180", "0180", "0180", "2482", "abc"]
    assert result.iloc[5] is pd.NA


def test_normalise_kommunkod_more_cases():
    raw = pd.Series(["180.0", "", "  ", np.nan, "12345", "180.5", 7], dtype=object, index=list("abcdefg"))
    result = normalise_kommunkod(raw)
    assert list(result.index) == list("abcdefg")
    assert result["a"] == "0180"
    assert result[["b", "c", "d"]].isna().all()
    assert result["e"] == "12345"
    assert result["f"] == "180.5"
    assert result["g"] == "0007"


def test_normalise_kommunkod_numeric_dtypes():
    floats = normalise_kommunkod(pd.Series([180.0, 2482.0, np.nan]))
    assert floats.iloc[:2].tolist() == ["0180", "2482"]
    assert floats.iloc[2] is pd.NA
    ints = normalise_kommunkod(pd.Series([180, None], dtype="Int64"))
    assert ints.iloc[0] == "0180"
    assert ints.iloc[1] is pd.NA


def test_normalise_then_validate():
    raw = pd.Series([180, "0980", "abc", None, 9999])
    assert is_kommunkod(normalise_kommunkod(raw)).tolist() == [True, True, False, False, False]


def test_data_read_through_package_resources():
    # the module reads its tables via importlib.resources, not a path relative to the repo
    assert reference._DATA_PACKAGE == "finsam_analysis"
    from importlib import resources

    data = resources.files("finsam_analysis").joinpath("data")
    for name in ("kommuner.csv", "lan.csv", "forbund_katalog.csv", "forbund_katalog_medlemmar.csv"):
        raw = data.joinpath(name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name} has a BOM"
        raw.decode("utf-8")
