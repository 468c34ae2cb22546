"""The ``finsam`` command line (docs/rapporter.md §6).

Errors are one or two plain Swedish sentences on stderr, never a traceback,
unless ``--debug`` is given. Every message passes through
:func:`personnummer.redact` on its way out, and control characters in it
(an escape sequence in a value from a user's file) become ``?``.

Exit codes: 0 fine; 1 rejected rows (validate) or a failed run; 2 unreadable
input or wrong usage.
"""

from __future__ import annotations

import argparse
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

from finsam_analysis.version import __version__
from finsam_analysis.errors import FinsamError
from finsam_analysis.ingest.personnummer import redact

MAX_LISTED_ROWS = 200


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are a Swedish sentence and exit 2."""

    def error(self, message: str) -> None:  # noqa: D401 (argparse API)
        self.exit(2, f"finsam: fel i kommandoraden: {message}. Se 'finsam {self._sub or ''} --help'.\n".replace("  ", " "))

    _sub = ""


#: Control characters other than line break and tab: a value from a user's
#: file (echoed in a rejected row or an error) must not steer the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _say(text: str, stream=None) -> None:
    print(_CONTROL.sub("?", redact(text)), file=stream or sys.stdout)


# --------------------------------------------------------------------------
# sample-data
# --------------------------------------------------------------------------


def _years(text: str) -> tuple[int, int]:
    try:
        first, _, last = text.partition("-")
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inte ett årsintervall som 2020-2025") from None
    if not 1990 <= lo <= hi <= 2100:
        raise argparse.ArgumentTypeError(f"'{text}' är inte ett rimligt årsintervall")
    return lo, hi


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inte ett heltal") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' måste vara minst 1")
    return value


def _volume(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inte ett tal") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' måste vara större än 0")
    return value


def cmd_sample_data(args: argparse.Namespace) -> int:
    from finsam_analysis.synthetic.sample import write_sample

    summary = write_sample(
        Path(args.out), seed=args.seed, n_forbund=args.forbund, years=args.years,
        volume=args.volume, xlsx=not args.no_xlsx,
    )
    n_rows = sum(summary.rows.values()) if hasattr(summary, "rows") else None
    _say(
        f"Skrev syntetiska exempeldata för {len(summary.forbund)} förbund, "
        f"åren {args.years[0]}–{args.years[1]}, till {args.out}."
        + (f" ({_antal(n_rows, 'rad', 'rader')}.)" if n_rows else "")
    )
    return 0


# --------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------


def _print_quality(quality, stream=None) -> None:
    for fq in quality.files:
        extra = []
        if fq.rader_avvisade:
            extra.append(f"{fq.rader_avvisade} avvisade")
        if fq.dubbletter:
            extra.append(_antal(fq.dubbletter, "dubblett", "dubbletter"))
        if fq.tomma_rader:
            extra.append(f"{_antal(fq.tomma_rader, 'tom rad', 'tomma rader')} hoppades över")
        if getattr(fq, "summarader", 0):
            extra.append(f"{_antal(fq.summarader, 'summa- eller anteckningsrad', 'summa- eller anteckningsrader')} lästes inte")
        tail = f" ({', '.join(extra)})" if extra else ""
        _say(f"  {fq.fil}: {_antal(fq.rader_lasta, 'rad', 'rader')} lästa, {fq.rader_inlasta} inlästa{tail}.", stream)
        if fq.ignorerade_kolumner:
            cols = ", ".join(fq.ignorerade_kolumner[:8]) + (" …" if len(fq.ignorerade_kolumner) > 8 else "")
            _say(f"    Kolumner som inte används: {cols}.", stream)
    if quality.scb_files:
        _say(f"  helarsekvivalenter/: {_antal(len(quality.scb_files), 'fil', 'filer')} från SCB.", stream)
    for note in quality.notes:
        _say(f"  Obs: {note}", stream)
    if len(quality.unknown_labels):
        _say("Okända etiketter (lägg till dem under values: i mapping.yaml eller rätta filen):", stream)
        for row in quality.unknown_labels.itertuples(index=False):
            _say(f"  {row.fil}, kolumnen '{row.kolumn}': '{row.etikett}' på {_antal(row.antal, 'rad', 'rader')}", stream)
    if quality.rejected_rows:
        _say(f"Avvisade rader ({quality.rejected_rows}):", stream)
        grouped = quality.rejects.groupby(["fil", "rad"], sort=False)
        for i, ((fil, rad), part) in enumerate(grouped):
            if i == MAX_LISTED_ROWS:
                _say(f"  … och {_antal(quality.rejected_rows - MAX_LISTED_ROWS, 'rad', 'rader')} till.", stream)
                break
            reasons = "; ".join(f"{k}: {s}" for k, s in zip(part["kolumn"], part["skal"]))
            _say(f"  {fil} rad {rad}: {reasons}", stream)
    if quality.duplicate_rows:
        _say(f"Dubbletter (samma person, insats och startdatum; räknas en gång): {quality.duplicate_rows}", stream)
        for row in quality.duplicates.head(MAX_LISTED_ROWS).itertuples(index=False):
            _say(f"  {row.fil} rad {row.rad} upprepar {row.forsta_rad}", stream)


def cmd_validate(args: argparse.Namespace) -> int:
    from finsam_analysis.ingest.dataset import load_dataset, read_participants

    if args.data_dir:
        dataset = load_dataset(Path(args.data_dir))
        quality = dataset.quality
        what = f"Datakatalogen {args.data_dir}"
        n = len(dataset.deltagande)
        _say(f"{what}: {len(dataset.forbund)} förbund, {_antal(len(dataset.insatser), 'insats', 'insatser')}, {_antal(n, 'deltagande', 'deltaganden')} inlästa.")
    else:
        deltagande, quality = read_participants(Path(args.participants), args.mapping)
        _say(
            f"Deltagarfilen {args.participants}: {len(deltagande)} deltaganden inlästa "
            "(insatser och förbund kontrolleras bara med --data-dir)."
        )
    _print_quality(quality)
    if quality.rejected_rows:
        _say(f"Resultat: {_antal(quality.rejected_rows, 'rad', 'rader')} avvisades; rätta dem och kör igen.")
        return 1
    _say("Resultat: inga fel hittades.")
    return 0


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def _skip_slow_iri_checker() -> None:
    """Keep jsonschema from loading rfc3987_syntax in this process.

    nbformat (through papermill and nbconvert) imports jsonschema, which
    imports the optional IRI checker rfc3987_syntax if installed; that
    module compiles ~35 Earley grammars at import, 1–2 s of every batch
    (python-jsonschema/jsonschema#1428). Notebook validation never uses IRI
    formats. Only the ``finsam report`` process is changed, never a library
    user's.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # import now raises ImportError


def cmd_report(args: argparse.Namespace) -> int:
    from finsam_analysis.batch.pipeline import run_reports, summary_text

    _skip_slow_iri_checker()
    if not args.all and not args.forbund:
        raise _usage("ange --forbund ID [ID ...] eller --all")
    try:
        run = run_reports(
            args.data_dir,
            args.period,
            None if args.all else args.forbund,
            out=args.out,
            formats=args.format,
            jobs=args.jobs,
            min_cell=args.min_cell,
            progress=not args.quiet,
            engine=args.engine,
            resume=args.resume,
            allow_partial=args.allow_partial,
            aldersgrupper=args.aldersgrupper,
        )
    except KeyboardInterrupt:
        _say(
            "finsam: avbrutet. Rapporter som blev klara finns kvar och manifest.json visar läget; "
            "kör samma kommando med --resume för att göra resten.",
            sys.stderr,
        )
        return 130
    _say(summary_text(run), sys.stderr if run.failed else sys.stdout)
    return run.exit_code


def _usage(message: str):
    from finsam_analysis.batch.pipeline import UsageError

    return UsageError(f"Fel i kommandoraden: {message}.")


def cmd_uppfoljning(args: argparse.Namespace) -> int:
    from finsam_analysis.ingest.dataset import load_dataset
    from finsam_analysis.measures.key_figures import resolve_forbund_id
    from finsam_analysis.report.uppfoljning import write_uppfoljning

    dataset = load_dataset(args.data_dir)
    forbund_id = resolve_forbund_id(dataset, args.forbund)  # one sentence for an unknown förbund
    path = write_uppfoljning(dataset, forbund_id, args.year, args.out)
    _say(f"Skrev underlaget till Uppföljning Finsam {args.year} för {forbund_id} till {path}. "
         "Det har exakta antal och är bara för inrapporteringen: publicera det inte.")  # fmt: skip
    return 0


def cmd_forbund(args: argparse.Namespace) -> int:
    from finsam_analysis.ingest.dataset import load_dataset_cached

    forbund = load_dataset_cached(Path(args.data_dir)).forbund
    _say(f"{_antal(len(forbund), 'förbund', 'förbund')} i {args.data_dir}:")
    for fid, name in zip(forbund["forbund_id"], forbund["namn"]):
        _say(f"  {fid}  {name}")
    return 0


def _antal(n: int, one: str, many: str) -> str:
    """``1 rad``, ``2 rader``: the number and the noun in its Swedish form."""
    return f"{n} {one if n == 1 else many}"


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inte ett år som 2025") from None
    if not 1990 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"'{text}' är inte ett rimligt år")
    return value


def cmd_fetch_scb(args: argparse.Namespace) -> int:
    from finsam_analysis.scb.fetch import fetch_scb

    result = fetch_scb(Path(args.out), args.start)
    _say(result.summary())
    return 0


#: One example per command, shown under its --help.
_EXAMPLES = {
    "sample-data": "finsam sample-data --out data/exempel --forbund 4",
    "validate": "finsam validate --data-dir data/exempel\n  "
                "finsam validate --participants deltagare.xlsx --mapping mapping.yaml",
    "report": "finsam report --data-dir data/exempel --period 2025 --all\n  "
              "finsam report --data-dir data/exempel --period 2025Q3 --forbund ange --format html,docx",
    "uppfoljning": "finsam uppfoljning --data-dir data/exempel --year 2025 --forbund ange",
    "forbund": "finsam forbund --data-dir data/exempel",
    "fetch-scb": "finsam fetch-scb --out data/exempel --from 2014M01",
}  # fmt: skip


def _with_examples(sub):
    """Subparsers whose every command shows its description and an example (:data:`_EXAMPLES`)."""
    add = sub.add_parser

    def add_parser(name: str, **kwargs):
        kwargs.setdefault("epilog", f"exempel:\n  {_EXAMPLES[name]}")
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("description", kwargs.get("help", "").capitalize() + ".")
        return add(name, **kwargs)

    sub.add_parser = add_parser
    return sub


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="finsam",
        description="Statistik och rapporter för samordningsförbund (Finsam).",
        epilog="Se 'finsam KOMMANDO --help' för ett kommandos val och ett exempel.",
    )
    parser.add_argument("--version", action="version", version=f"finsam_analysis {__version__}",
                        help="visa programmets version och avsluta")
    parser.add_argument("--debug", action="store_true", help="visa hela felspårningen vid fel")
    sub = _with_examples(parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser))

    p = sub.add_parser("sample-data", help="skriv ett syntetiskt exempeldataset")
    p._sub = "sample-data"
    p.add_argument("--out", required=True, metavar="KATALOG", help="katalog att skriva till")
    p.add_argument("--seed", type=int, default=2025, metavar="N", help="slumpfrö; samma frö ger samma data (standard: 2025)")
    p.add_argument("--forbund", type=_positive, default=None, metavar="N", help="antal förbund (standard: hela katalogen, 27)")
    p.add_argument("--years", type=_years, default=(2020, 2025), metavar="ÅR-ÅR", help="år (standard: 2020-2025)")
    p.add_argument(
        "--volume", type=_volume, default=1.0, metavar="FAKTOR",
        help="gånger så många deltaganden som i verkliga förbund (standard 1; större för prestandatester)",
    )
    p.add_argument(
        "--no-xlsx", action="store_true",
        help="skriv inte förbundets egen Excelfil; dess deltaganden hamnar i deltagande.csv, med personnummer",
    )
    p.set_defaults(func=cmd_sample_data)

    p = sub.add_parser("validate", help="läs in och kontrollera data")
    p._sub = "validate"
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data-dir", metavar="KATALOG", help="en datakatalog enligt docs/dataformat.md")
    src.add_argument("--participants", metavar="FIL", help="en enskild deltagarfil (.csv eller .xlsx)")
    p.add_argument("--mapping", metavar="FIL", help="mapping.yaml för --participants")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("report", help="skriv rapporter per förbund")
    p._sub = "report"
    p.add_argument("--data-dir", required=True, metavar="KATALOG", help="datakatalogen")
    p.add_argument("--period", required=True, metavar="PERIOD", help="2025, 2025H1, 2025Q3, 2025T2 eller 2025-01-01..2025-08-31")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--forbund", nargs="+", metavar="ID", help="ett eller flera förbund")
    who.add_argument("--all", action="store_true", help="alla förbund i datakatalogen")
    p.add_argument("--out", default="reports", metavar="KATALOG", help="utkatalog (standard: reports/)")
    p.add_argument("--format", default="html,xlsx,json", metavar="FORMAT", help="kommaseparerat urval av html, xlsx, json, ipynb, pdf, docx (standard: html,xlsx,json)")
    p.add_argument("--jobs", type=_positive, default=None, metavar="N", help="antal parallella förbund (standard: antal kärnor)")
    p.add_argument("--min-cell", type=_positive, default=5, metavar="N", help="minsta redovisade antal; 1 stänger av skyddet (standard: 5)")
    p.add_argument("--aldersgrupper", metavar="GRUPPER", default=None,
                   help="förbundets egna åldersgrupper bredvid de fasta, t.ex. 16-29,55-64")
    p.add_argument("--quiet", action="store_true", help="ingen förloppsindikator")
    p.add_argument("--allow-partial", action="store_true",
                   help="tillåt en period som slutar efter uttagsdatum: rapporten gäller delen fram till dess "
                   "och märks så på varje sida")
    p.add_argument("--resume", action="store_true",
                   help="behåll rapporter som förra körningen till samma --out blev klar med och gör resten")
    p.add_argument("--engine", choices=("fork", "kernel"), default=None, metavar="{fork,kernel}",
                   help="fork (standard på Linux/macOS): en förberedd process per förbund; "
                        "kernel: en Jupyter-kärna per förbund")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("uppfoljning", help="skriv det interna underlaget till Uppföljning Finsam (exakta antal)")
    p._sub = "uppfoljning"
    p.add_argument("--data-dir", required=True, metavar="KATALOG", help="datakatalogen")
    p.add_argument("--year", required=True, type=_year, metavar="ÅR", help="året, t.ex. 2025")
    p.add_argument("--forbund", required=True, metavar="ID", help="förbundet")
    p.add_argument("--out", default="reports", metavar="KATALOG", help="utkatalog (standard: reports/; filen hamnar i uppfoljning/ÅR/)")
    p.set_defaults(func=cmd_uppfoljning)

    p = sub.add_parser("forbund", help="lista förbunden i en datakatalog (id och namn)")
    p._sub = "forbund"
    p.add_argument("--data-dir", required=True, metavar="KATALOG", help="datakatalogen")
    p.set_defaults(func=cmd_forbund)

    p = sub.add_parser("fetch-scb", help="hämta helårsekvivalenter från SCB:s API (PxWeb v2)")
    p._sub = "fetch-scb"
    p.add_argument("--out", required=True, metavar="KATALOG", help="datakatalogen; filerna hamnar i helarsekvivalenter/")
    p.add_argument("--from", dest="start", default="2014M01", metavar="MÅNAD", help="första månad (standard: 2014M01)")
    p.set_defaults(func=cmd_fetch_scb)
    return parser


#: argparse's own words in Swedish. argparse looks them up through gettext (its module-level
#: ``_``) when it builds a parser and when it writes help or an error, so they are swapped in
#: for the command line only (:func:`_swedish_argparse`), never for a program that imports us.
_SWEDISH = {
    "usage: ": "användning: ",
    "options": "val",
    "positional arguments": "argument",
    "show this help message and exit": "visa den här hjälptexten och avsluta",
    "the following arguments are required: %s": "följande argument krävs: %s",
    "one of the arguments %s is required": "ett av argumenten %s krävs",
    "unrecognized arguments: %s": "okända argument: %s",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val %(value)r (välj bland %(choices)s)",
    "expected one argument": "ett värde behövs",
    "expected at least one argument": "minst ett värde behövs",
    "not allowed with argument %s": "går inte ihop med argumentet %s",
    "invalid %(type)s value: %(value)r": "ogiltigt värde %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydigt val %(option)s, kan vara %(matches)s",
}


@contextmanager
def _swedish_argparse():
    original = argparse._
    argparse._ = lambda text: _SWEDISH.get(text) or original(text)
    try:
        yield
    finally:
        argparse._ = original


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``finsam`` command; returns the exit code."""
    with _swedish_argparse():
        parser = build_parser()
        args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if getattr(args, "mapping", None) and not getattr(args, "participants", None):
        parser.error("--mapping hör ihop med --participants (i en datakatalog läses mapping.yaml där)")
    try:
        return int(args.func(args) or 0)
    except FinsamError as exc:
        if args.debug:
            raise
        _say(f"finsam: {exc}", sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        _say("finsam: avbrutet.", sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 (the CLI promises no traceback)
        if args.debug:
            raise
        _say(
            f"finsam: ett oväntat fel inträffade ({type(exc).__name__}). "
            "Kör igen med --debug för detaljer och rapportera felet.",
            sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
