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
