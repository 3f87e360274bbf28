"""Which customers a campaign lists: five ways to cut the customers ranked by expected gain.

Every customer is ranked by expected gain, best first (ties by customer id, so the order never
depends on the rows' order). A selection keeps:

* ``profit_optimal`` (the default): everyone with a positive expected gain;
* ``top``: the ``n`` best;
* ``top_share``: the best ``share`` of the scored customers (rounded up);
* ``budget``: the best, as long as the contacted customers' expected cost (contact plus the
  offers taken, :func:`churnlab.campaign.gain.expected_cost`) stays within the budget, and
  never a customer whose expected gain is not positive: past the profit-optimal cut, every
  contact loses money, so a budget larger than that list's cost is left partly unspent (the
  summary says how much);
* ``min_probability``: everyone whose churn probability is at least ``p``, ranked by gain.

The control group is part of the list: its members are chosen like the others and then not
contacted, so that the campaign's effect can be measured. They cost nothing, so ``budget``
counts only the contacted customers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from churnlab.campaign.checks import is_number
from churnlab.errors import SpecError

Mode = Literal["profit_optimal", "top", "top_share", "budget", "min_probability"]
MODES: tuple[str, ...] = ("profit_optimal", "top", "top_share", "budget", "min_probability")
OPTIONS = {
    "top": "--top",
    "top_share": "--top-share",
    "budget": "--budget",
    "min_probability": "--min-probability",
    "profit_optimal": "--profit-optimal",
}


@dataclass(frozen=True, kw_only=True)
class Selection:
    """How the list is cut: one mode and its parameter.

    Build it with the class methods, or :meth:`from_options` (what the CLI's flags give).

    >>> Selection.top(500)
    Selection(mode='top', n=500)
    >>> Selection.from_options(budget=2000.0)
    Selection(mode='budget', budget=2000.0)
    >>> Selection.from_options(top=10, budget=5.0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: Choose one way to cut the list; got --top and --budget.
    """

    mode: Mode = "profit_optimal"
    n: int | None = None
    share: float | None = None
    budget: float | None = None
    min_probability: float | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SpecError(
                f"The 'mode' parameter of Selection must be one of {', '.join(MODES)}. "
                f"Got {self.mode!r} instead."
            )
        needs = {"top": "n", "top_share": "share", "budget": "budget"}
        needs["min_probability"] = "min_probability"
        for mode, name in needs.items():
            given = getattr(self, name)
            if (mode == self.mode) != (given is not None):
                raise SpecError(f"Selection(mode={self.mode!r}) takes {needs.get(self.mode)}.")
        if self.n is not None and (
            not isinstance(self.n, int | np.integer) or isinstance(self.n, bool) or self.n < 1
        ):
            raise SpecError(
                f"The 'top' parameter must be a whole number of customers >= 1. Got {self.n!r} "
                "instead."
            )
        for name in ("share", "min_probability"):
            value = getattr(self, name)
            if value is not None and not (is_number(value) and 0.0 < value < 1.0):
                option = {"share": "top_share"}.get(name, name)
                raise SpecError(
                    f"The '{option}' parameter must be a number in (0, 1). Got {value!r} instead."
                )
        if self.budget is not None and not (is_number(self.budget) and self.budget > 0):
            raise SpecError(
                f"The 'budget' parameter must be a positive amount. Got {self.budget!r} instead."
            )

    def __repr__(self) -> str:
        parameter = {"top": "n", "top_share": "share"}.get(self.mode, self.mode)
        value = (
            "" if self.mode == "profit_optimal" else f", {parameter}={getattr(self, parameter)!r}"
        )
        return f"Selection(mode={self.mode!r}{value})"

    @classmethod
    def profit_optimal(cls) -> Selection:
        """Everyone with a positive expected gain."""
        return cls()

    @classmethod
    def top(cls, n: int) -> Selection:
        """The ``n`` customers with the highest expected gain."""
        return cls(mode="top", n=n)

    @classmethod
    def top_share(cls, share: float) -> Selection:
        """The best ``share`` of the scored customers."""
        return cls(mode="top_share", share=share)

    @classmethod
    def within_budget(cls, budget: float) -> Selection:
        """The best customers whose contacts' expected cost fits in ``budget``."""
        return cls(mode="budget", budget=budget)

    @classmethod
    def above_probability(cls, p: float) -> Selection:
        """Everyone with a churn probability of at least ``p``."""
        return cls(mode="min_probability", min_probability=p)

    @classmethod
    def from_options(
        cls,
        *,
        top: int | None = None,
        top_share: float | None = None,
        budget: float | None = None,
        profit_optimal: bool = False,
        min_probability: float | None = None,
    ) -> Selection:
        """The selection that a set of CLI options asks for; two modes at once are refused."""
        given = {
            "top": top,
            "top_share": top_share,
            "budget": budget,
            "min_probability": min_probability,
            "profit_optimal": True if profit_optimal else None,
        }
        chosen = [mode for mode, value in given.items() if value is not None]
        if len(chosen) > 1:
            names = " and ".join(OPTIONS[m] for m in chosen)
            raise SpecError(f"Choose one way to cut the list; got {names}.")
        if not chosen or chosen == ["profit_optimal"]:
            return cls()
        mode = chosen[0]
        field = {"top": "n", "top_share": "share"}.get(mode, mode)
        return cls(mode=mode, **{field: given[mode]})  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The mode and its parameter."""
        parameter = {"top": "n", "top_share": "share"}.get(self.mode, self.mode)
        data: dict[str, Any] = {"mode": self.mode}
        if self.mode != "profit_optimal":
            data[parameter] = getattr(self, parameter)
        return data

    def describe(self) -> str:
        """The selection in words.

        >>> Selection.top_share(0.2).describe()
        'the best 20% of customers by expected gain'
        """
        if self.mode == "top":
            return f"the best {self.n:,} customers by expected gain"
        if self.mode == "top_share":
            return f"the best {self.share:.0%} of customers by expected gain"
        if self.mode == "budget":
            return f"the best customers within a budget of {self.budget:,.2f}"
        if self.mode == "min_probability":
            return f"every customer with a churn probability of at least {self.min_probability:.0%}"
        return "every customer with a positive expected gain"


def rank_order(gain: np.ndarray, customer_id: np.ndarray) -> np.ndarray:
    """Positions that sort customers by expected gain, best first; ties by customer id.

    >>> rank_order(np.array([1.0, 3.0, 3.0]), np.array(["c", "b", "a"]))
    array([2, 1, 0])
    """
    return np.lexsort((np.asarray(customer_id).astype(str), -np.asarray(gain, dtype="float64")))


@dataclass(frozen=True)
class Cut:
    """Where a selection cuts the ranked customers.

    ``listed`` marks the listed customers (in the data's row order); ``budget_left`` is the
    part of a budget that stays unspent, ``None`` in other modes.
    """

    listed: np.ndarray
    budget_left: float | None = None


def select(
    selection: Selection,
    *,
    gain: np.ndarray,
    probability: np.ndarray,
    cost: np.ndarray,
    control: np.ndarray,
    order: np.ndarray,
) -> Cut:
    """The customers ``selection`` lists.

    Parameters
    ----------
    selection:
        The mode and its parameter.
    gain, probability, cost:
        Each customer's expected gain, churn probability and expected cost if contacted.
    control:
        Whether each customer falls in the control group (not contacted, no cost).
    order:
        :func:`rank_order` of ``gain``.

    Examples
    --------
    >>> gain = np.array([5.0, -1.0, 2.0, 8.0])
    >>> kw = dict(gain=gain, probability=np.array([.3, .01, .2, .5]), cost=np.full(4, 3.0),
    ...           control=np.array([False, False, True, False]),
    ...           order=rank_order(gain, np.array(["a", "b", "c", "d"])))
    >>> select(Selection(), **kw).listed
    array([ True, False,  True,  True])
    >>> cut = select(Selection.within_budget(6.0), **kw)  # d and a cost 3 each; c is control
    >>> cut.listed, cut.budget_left
    (array([ True, False,  True,  True]), 0.0)
    >>> select(Selection.top(1), **kw).listed
    array([False, False, False,  True])
    """
    n = len(gain)
    listed = np.zeros(n, dtype=bool)
    if selection.mode == "min_probability":
        return Cut(np.asarray(probability) >= selection.min_probability)
    if selection.mode == "profit_optimal":
        return Cut(np.asarray(gain) > 0)
    if selection.mode in ("top", "top_share"):
        size = int(selection.n or 0) if selection.mode == "top" else list_size(selection, n)
        listed[order[: min(size, n)]] = True
        return Cut(listed)
    budget = float(selection.budget)  # type: ignore[arg-type]
    ranked_cost = np.where(np.asarray(control)[order], 0.0, np.asarray(cost)[order])
    spent = np.cumsum(ranked_cost)
    profitable = int(np.sum(np.asarray(gain) > 0))
    fits = int(np.searchsorted(spent, budget * (1 + 1e-12), side="right"))
    size = min(fits, profitable)
    listed[order[:size]] = True
    return Cut(listed, budget_left=budget - (float(spent[size - 1]) if size else 0.0))


def list_size(selection: Selection, customers: int) -> int:
    """The list size of ``top_share``: the share of the customers, rounded up.

    >>> list_size(Selection.top_share(0.2), 11)
    3
    """
    return math.ceil(float(selection.share or 0.0) * customers - 1e-9)


def check_budget(selection: Selection, cheapest_contact: float) -> None:
    """Refuse a budget smaller than one contact's expected cost.

    >>> check_budget(Selection.within_budget(0.5), 1.0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The budget (0.50) is smaller than one contact: the cheapest costs 1.00 (contact and offer). Raise --budget, or lower the contact cost in the campaign file.
    """
    if selection.mode == "budget" and selection.budget < cheapest_contact:  # type: ignore[operator]
        raise SpecError(
            f"The budget ({selection.budget:,.2f}) is smaller than one contact: the cheapest "
            f"costs {cheapest_contact:,.2f} (contact and offer). Raise --budget, or lower the "
            "contact cost in the campaign file."
        )
