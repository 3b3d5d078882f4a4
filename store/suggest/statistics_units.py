"""The unit words and symbols the statistics suggester accepts after a number.

quantulum3 keeps a curated table of ~1,800 unit symbols and names (SI prefixes,
currencies, US customary units); its parser is too slow for a whole book (about 10 ms
per 1,000 characters) and its unit classifier is a pickle tied to one scikit-learn
version, so only its data is read here, straight from the package's JSON files, once
per process. Without quantulum3 a short built-in table covers the units news and
science use most; the bench measures both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Symbols that are also everyday words, quotes or times: after a number in prose they
# are far more often the word ("3 in 10", "5 a day", "at 3 pm") than the unit.
AMBIGUOUS_SYMBOLS = frozenset(
    "a A in at d c u y p q t st pt pk ac ha am pm ' \" ″ ” ′ b gm kn nt sb P St Ha Ba Fr FS EA Ea TR cd".split()
)
# Unit names that are ordinary nouns too often to count as a unit after a number.
AMBIGUOUS_SURFACES = frozenset(
    "set sets pack packs piece pieces pc point points mark marks line lines hand hands gross "
    "grain grains stone stones bar bars rod rods chain chains league leagues span spans dram "
    "drams unit units mil mils dimensionless pair pairs won wons real reals henry darcy gray grays pond ponds "
    "mill mills shake shakes turn turns drop drops circle count counts candle quad quads nit nits rand rands "
    "time rad rads tex cup cups beep beeps bip bips pel pels peck pecks tetrad".split()
)

BUILTIN_SYMBOLS = frozenset(
    "% ‰ ‱ ppm ppb pct km m cm mm µm μm nm pm Å mi ft yd kg g mg µg μg ng lb lbs oz "
    "l L ml mL µl μl cl dl kL s ms µs μs ns min h hr hrs yr yrs °C °F °K ° K "
    "W kW MW GW TW mW kWh MWh GWh TWh Wh V kV mV A mA Hz kHz MHz GHz Pa kPa MPa GPa hPa "
    "bar mbar atm J kJ MJ eV keV MeV GeV cal kcal N kN mol mmol µmol μmol M mM µM μM "
    "wt% vol% mol% at% wt.% dB B kB MB GB TB bit kbit Mbit Gbps Mbps kbps ha mph kph km/h rpm $ € £ ¥ ₹ ₽ Gt Mt kt".split()
)
BUILTIN_SURFACES = frozenset(
    "percent per cent percentage percentages metre metres meter meters kilometre kilometres kilometer "
    "kilometers centimetre centimetres centimeter centimeters millimetre millimetres millimeter millimeters "
    "mile miles foot feet inch inches yard yards gram grams kilogram kilograms kilo kilos tonne tonnes "
    "ton tons pound pounds ounce ounces litre litres liter liters gallon gallons second seconds minute "
    "minutes hour hours day days week weeks month months year years decade decades century centuries "
    "degree degrees kelvin watt watts kilowatt kilowatts megawatt megawatts gigawatt gigawatts volt volts "
    "hertz joule joules calorie calories acre acres hectare hectares dollar dollars euro euros cent cents "
    "penny pence yen yuan rupee rupees knot knots byte bytes kilobyte kilobytes megabyte megabytes "
    "gigabyte gigabytes terabyte terabytes"
    .split()
)


@dataclass(frozen=True, slots=True)
class UnitTable:
    """Unit symbols (matched case-sensitively) and names (matched lowercased)."""

    source: str
    symbols: frozenset[str]
    surfaces: frozenset[str]
    longest_surface: int
    """Words in the longest name ("parts per million" is 3)."""


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    if word.endswith("foot"):
        return word[:-4] + "feet"
    return word + "s"


def _table(source: str, symbols: set[str], surfaces: set[str]) -> UnitTable:
    symbols -= AMBIGUOUS_SYMBOLS
    surfaces = {s.lower() for s in surfaces if s} - AMBIGUOUS_SURFACES
    return UnitTable(source, frozenset(symbols), frozenset(surfaces), max(len(s.split()) for s in surfaces))


@cache
def builtin_units() -> UnitTable:
    return _table("built-in", set(BUILTIN_SYMBOLS), set(BUILTIN_SURFACES))


@cache
def quantulum_units() -> UnitTable | None:
    """quantulum3's table, SI prefixes expanded as quantulum3 expands them; None
    when quantulum3 is not installed."""
    try:
        from quantulum3.load import METRIC_PREFIXES
    except ImportError:
        return None
    symbols: set[str] = set()
    surfaces: set[str] = set()
    package = resources.files("quantulum3")
    for path in (package / "units.json", package / "_lang" / "en_US" / "units.json"):
        for unit in json.loads(path.read_text(encoding="utf-8")).values():
            unit_symbols = list(unit.get("symbols", []))
            unit_surfaces = list(unit.get("surfaces", []))
            for prefix in unit.get("prefixes", []):
                symbols.update(prefix + s for s in unit_symbols)
                surfaces.update(METRIC_PREFIXES[prefix] + s for s in unit_surfaces)
            symbols.update(unit_symbols)
            surfaces.update(unit_surfaces)
    surfaces |= {_plural(s) for s in surfaces}
    # quantulum3 spells micro with U+00B5; papers use U+03BC as often.
    symbols |= {s.replace("µ", "μ") for s in symbols if "µ" in s}
    # the built-in table too, so that the figures measure what quantulum3 adds to it
    return _table("quantulum3", symbols | BUILTIN_SYMBOLS, surfaces | BUILTIN_SURFACES)


def unit_table(kind: str = "auto") -> UnitTable:
    """``quantulum3``, ``builtin`` or ``auto`` (quantulum3 when it is installed)."""
    if kind == "builtin":
        return builtin_units()
    table = quantulum_units()
    if table is None:
        if kind == "quantulum3":
            raise ImportError("the quantulum3 unit table needs quantulum3: python -m pip install quantulum3")
        return builtin_units()
    return table
