"""The demo operator's category values in English and Chinese.

Every category is simulated as a small integer code; a locale only decides which words the
codes are written as, so the English and Chinese demos of one seed hold the same rows.
"""

from __future__ import annotations

from typing import Literal

Locale = Literal["en", "zh"]
LOCALES: tuple[str, ...] = ("en", "zh")

_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "plan": {
        "en": ("basic", "standard", "premium", "unlimited"),
        "zh": ("基础套餐", "标准套餐", "高级套餐", "无限套餐"),
    },
    "region": {
        "en": ("east", "south", "north", "central", "southwest", "northeast", "northwest"),
        "zh": ("华东", "华南", "华北", "华中", "西南", "东北", "西北"),
    },
    "contract": {
        "en": ("month-to-month", "one-year", "two-year"),
        "zh": ("月付", "一年", "两年"),
    },
    "payment_method": {
        "en": ("direct debit", "credit card", "bank transfer", "cash"),
        "zh": ("自动扣款", "信用卡", "银行转账", "现金"),
    },
    "category": {
        "en": ("network", "billing", "service", "product", "other"),
        "zh": ("网络", "账单", "服务", "产品", "其他"),
    },
    "channel": {
        "en": ("phone", "app", "store", "email"),
        "zh": ("电话", "应用", "营业厅", "邮件"),
    },
    "kind": {
        "en": ("outage", "dropped_call", "slow_data"),
        "zh": ("网络中断", "掉话", "网速慢"),
    },
}

CAUSES: tuple[str, ...] = ("service", "price", "product", "payment", "natural")
"""The churn causes of the truth table, always in English (codes 0 to 4)."""
FIX_CAUSES: tuple[str, ...] = ("service", "price", "product", "payment", "none")
"""The truth table's ``fix_cause`` values, always in English (codes 0 to 4)."""


def words(field: str, locale: Locale) -> tuple[str, ...]:
    """The words for the codes of one category field in one locale.

    Parameters
    ----------
    field : str
        ``plan``, ``region``, ``contract``, ``payment_method``, ``category``, ``channel`` or
        ``kind``.
    locale : {"en", "zh"}
        The language of the values.

    Returns
    -------
    tuple of str
        The word for code ``i`` at position ``i``.

    Examples
    --------
    >>> words("contract", "zh")
    ('月付', '一年', '两年')
    >>> words("kind", "en")[0]
    'outage'
    """
    return _WORDS[field][locale]
