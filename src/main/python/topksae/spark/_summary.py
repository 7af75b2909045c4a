"""The training summary of a TopKSAEModel as plain Python objects."""

from typing import Any, Dict, Iterator, List, Optional


class TopKSAETrainingSummary:
    """What a fit did, as Python lists and dicts.

    ``rounds`` holds one dict per averaging round (the fields of the JVM ``RoundRecord``:
    epoch, round, tokens, tokensSeen, loss, fvu, l0, deadFraction, neverFiredFraction, deadWindow,
    seconds, ...);
    ``totals`` the summary's own values (validRows, skippedRows, workers, roundsPerEpoch, ...),
    also readable as attributes (``summary.validRows``). ``column("loss")`` is one field over
    the rounds; ``toPandas()`` the rounds as a DataFrame (needs pandas).
    """

    def __init__(
        self, rounds: List[Dict[str, Any]], totals: Optional[Dict[str, Any]] = None
    ) -> None:
        self.rounds: List[Dict[str, Any]] = [dict(r) for r in rounds]
        self.totals: Dict[str, Any] = dict(totals or {})

    def __len__(self) -> int:
        return len(self.rounds)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.rounds)

    def __getitem__(self, i: int) -> Dict[str, Any]:
        return self.rounds[i]

    def __getattr__(self, name: str) -> Any:
        totals = self.__dict__.get("totals", {})
        if name in totals:
            return totals[name]
        raise AttributeError("%r: not a summary field; the fields are %s" % (name, sorted(totals)))

    @property
    def columns(self) -> List[str]:
        """Field names of the rounds, in their JVM order."""
        return list(self.rounds[0]) if self.rounds else []

    def column(self, name: str) -> List[Any]:
        """One field over all rounds; KeyError names the available fields."""
        if self.rounds and name not in self.rounds[0]:
            raise KeyError("no field %r in the rounds; fields: %s" % (name, self.columns))
        return [r[name] for r in self.rounds]

    def toPandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame.from_records(self.rounds, columns=self.columns)

    def asDict(self) -> Dict[str, Any]:
        """Everything as one plain dict: the totals plus "rounds"."""
        return dict(self.totals, rounds=[dict(r) for r in self.rounds])

    def __repr__(self) -> str:
        last = self.rounds[-1] if self.rounds else {}
        return "TopKSAETrainingSummary(%d rounds, last=%r)" % (len(self.rounds), last)
