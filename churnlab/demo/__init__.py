"""The synthetic demo operator: customers, bills, complaints, service events and the truth.

>>> from churnlab.demo import DemoSpec, generate_demo
>>> DemoSpec(customers=1_000).months
36
"""

from churnlab.demo.ensure import ensure_demo
from churnlab.demo.generator import generate_demo
from churnlab.demo.spec import DemoResult, DemoSpec

__all__ = ["DemoResult", "DemoSpec", "ensure_demo", "generate_demo"]
