"""Each model feature's entry (family, description, reason category and group, template).

Model cards keep the entries of their features (:attr:`ModelCard.features`). Cards written
before they did are read with entries rebuilt the way the feature stage made them: the core
features from the registry, the per-category counts from the card's category lists, the
families of your own from their modules, and the rest as customer attributes.
"""

from __future__ import annotations

from collections.abc import Sequence

from churnlab.errors import ModelError, SpecError
from churnlab.features import Feature, load_families
from churnlab.features.families import attribute_feature
from churnlab.features.family import category_slugs
from churnlab.features.registry import CORE_FEATURES, category_count_feature
from churnlab.model.card import ModelCard

GROUPINGS = {
    "feature": "name",
    "group": "reason_group",
    "family": "family",
    "category": "reason_category",
}
"""What ``by=`` may name, and the :class:`Feature` attribute that groups features."""
PER_VALUE = {"complaints": "complaints.category", "service_events": "service_events.kind"}


def _rebuilt(card: ModelCard) -> dict[str, Feature]:
    """Entries for a card that does not keep them, made as the feature stage made them."""
    known = {f.name: f for f in CORE_FEATURES}
    for table, key in PER_VALUE.items():
        for value, part in category_slugs(card.vocabulary.get(key, ())).items():
            feature = category_count_feature(table, value, part)
            known[feature.name] = feature
    try:
        families = load_families(card.feature_families)
    except Exception as exc:  # an own family's module that no longer imports
        raise ModelError(
            f"The model card keeps no feature entries and its own feature families "
            f"({', '.join(card.feature_families)}) cannot be imported ({exc}); retrain the "
            "model with this churnlab so that its card keeps every feature's entry."
        ) from None
    for family in families:
        known.update({f.name: f for f in family.entries})
    if not families:  # every feature that is not a built-in family's is a customer attribute
        for name in card.feature_names:
            if name not in known:
                known[name] = attribute_feature(name, categorical=name in card.categories)
    return known


def feature_entries(card: ModelCard) -> tuple[Feature, ...]:
    """The entries of the model's features, in the card's column order.

    Raises :class:`~churnlab.errors.ModelError` naming a feature without an entry (the model
    cannot explain it in words): retrain the model so that its card keeps one.

    >>> from churnlab.model import ModelCard
    >>> from churnlab.labels import LabelSpec
    >>> from churnlab.model import ModelSpec
    >>> card = ModelCard(created_at="", feature_names=("tenure_days", "plan"),
    ...     feature_kinds={}, feature_dtypes={}, categories={"plan": ("a", "b")},
    ...     vocabulary={"customers.plan": ("a", "b")}, label_spec=LabelSpec(),
    ...     model_spec=ModelSpec(), validation="out-of-time", training_cutoffs=(),
    ...     holdout_cutoffs=(), rows=0, churned=0, churn_rate=0.0, sampling={},
    ...     fingerprint={}, metrics={}, rounds=1, trees=1, calibration="none")
    >>> [(f.name, f.family, f.reason_category) for f in feature_entries(card)]
    [('tenure_days', 'tenure', 'tenure'), ('plan', 'attributes', 'profile')]
    """
    known = {f.name: f for f in card.features} if card.features else _rebuilt(card)
    missing = [name for name in card.feature_names if name not in known]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:8]) + (
            f", +{len(missing) - 8} more" if len(missing) > 8 else ""
        )
        raise ModelError(
            f"The model card has no entry (family, description, reason category, template) "
            f"for the feature(s) {shown}, so the model cannot explain them in words. Retrain "
            "the model with this churnlab: its card then keeps every feature's entry."
        )
    return tuple(known[name] for name in card.feature_names)


def check_grouping(by: str, *, where: str, allowed: Sequence[str] = tuple(GROUPINGS)) -> str:
    """The Feature attribute that ``by`` names, or a :class:`SpecError` in scikit-learn's shape.

    >>> check_grouping("family", where="Explanation.importance")
    'family'
    """
    if by not in allowed:
        raise SpecError(
            f"The 'by' parameter of {where} must be one of {', '.join(map(repr, allowed))}. "
            f"Got {by!r} instead."
        )
    return GROUPINGS[by]


__all__ = ["GROUPINGS", "check_grouping", "feature_entries"]
