"""The built-in feature families, one module each, in column order."""

from churnlab.features.families.attributes import Attributes, attribute_feature
from churnlab.features.families.complaints import Complaints
from churnlab.features.families.payment import Payment
from churnlab.features.families.plan_fit import PlanFit
from churnlab.features.families.purchases import Purchases
from churnlab.features.families.service import Service
from churnlab.features.families.spend import Spend
from churnlab.features.families.tenure import Tenure
from churnlab.features.family import FeatureFamily

BUILT_IN: tuple[FeatureFamily, ...] = (
    Tenure(),
    Spend(),
    Payment(),
    Complaints(),
    Service(),
    PlanFit(),
    Purchases(),
    Attributes(),
)
"""The families every frame has (where the data allow), before any of your own."""

__all__ = [
    "BUILT_IN",
    "Attributes",
    "Complaints",
    "Payment",
    "PlanFit",
    "Purchases",
    "Service",
    "Spend",
    "Tenure",
    "attribute_feature",
]
