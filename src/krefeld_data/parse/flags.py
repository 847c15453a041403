"""What Eurostat's observation flags and GENESIS quality marks mean: one table for every reader text.

Only flags whose meaning Eurostat documents get words. Any other flag is shown as published
("Kennzeichen „x“ laut Eurostat"), never called final: a missing entry here is no licence to
say a value is "endgültig".
"""

from __future__ import annotations

# Eurostat observation status (OBS_FLAG; the part before "|" in JSON-stat status strings).
EUROSTAT_FLAGS: dict[str, str] = {
    "b": "Bruch in der Zeitreihe",
    "c": "vertraulich",
    "d": "abweichende Definition",
    "e": "geschätzt",
    "f": "vorhergesagt",
    "n": "nicht signifikant",
    "p": "vorläufig",
    "r": "revidiert",
    "s": "Schätzung von Eurostat",
    "u": "geringe Zuverlässigkeit",
    "z": "nicht zutreffend",
}
# Eurostat confidentiality status (CONF_STATUS; after "|").
EUROSTAT_CONFIDENTIALITY: dict[str, str] = {
    "C": "vertraulich",
    "D": "vertraulich (abgeleitet)",
    "F": "frei",
    "N": "nicht zur Veröffentlichung",
}


def flag_words(flag: str | None) -> str:
    """German words for a flag or a combination (``"ep"`` → ``"geschätzt, vorläufig"``).

    Empty for no flag; an unknown letter is named as published, not explained.
    """
    if not flag:
        return ""
    words = []
    for letter in str(flag).strip():
        words.append(EUROSTAT_FLAGS.get(letter) or f"Kennzeichen „{letter}“ (laut Eurostat)")
    return ", ".join(words)


# Letters a Eurostat cell may carry after its number (``12345 e``, ``12345 bp``): the documented
# flags above plus the older ``a`` and ``g``, which files still carry without a meaning we can give.
FLAG_LETTERS = frozenset("ag") | frozenset(EUROSTAT_FLAGS)


def split_status(raw: str | None) -> tuple[str, str]:
    """Observation flags and confidentiality of a status: ``'e|C'`` → (``'e'``, ``'C'``).

    JSON-stat writes ``OBS_FLAG|CONF_STATUS`` in one string; SDMX-CSV has the two columns and
    joins them the same way before asking here, so both formats map alike. ``':'`` (not
    available) is no quality flag and is dropped from the observation part.
    """
    if not raw:
        return "", ""
    observation, _, confidentiality = str(raw).partition("|")
    return observation.replace(":", "").strip(), confidentiality.strip()


def missing_status(flags: str, confidentiality: str) -> str:
    """The tidy ``status`` of a cell without a number: ``confidential`` (CONF_STATUS ``C``, or
    the old API's flag ``c``), ``not_meaningful`` (flag ``z``, or a text in place of the number),
    else ``unknown`` (``:``, not available)."""
    if "C" in confidentiality or "c" in flags:
        return "confidential"
    if "z" in flags:
        return "not_meaningful"
    return "unknown"


def is_flag_text(text: str) -> bool:
    """Only flag letters (``e``, ``bp``): what may follow a number in a Eurostat cell."""
    return bool(text) and set(text) <= FLAG_LETTERS
