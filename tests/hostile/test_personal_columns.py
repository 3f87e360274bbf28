"""Personal data never becomes a feature, and no artefact stores raw values beyond a cap.

Columns are personal by their name (English or Chinese, any case or separator) or by the shape
of their values (e-mails, phone numbers, id numbers). Text attributes keep at most
``MAX_CATEGORIES`` categories; the rarer values become ``(other)``.
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import case
from snapshots import FAST, snapshot_data, snapshot_frame

import churnlab
from churnlab.features.prepare import MAX_CATEGORIES, OTHER
from churnlab.model import UnseenCategoryWarning, save_model, train
from churnlab.tables import looks_personal
from churnlab.tables.contract import personal_values

PERSONAL_NAMES = [
    "Customer Name",
    "E-Mail",
    "Mobile Number",
    "dob",
    "DOB",
    "CustomerName",
    "customerEmail",
    "e.mail",
    "Date of Birth",
    "home address",
    "ID Number",
    "Phone",
    "姓名",
    "电话",
    "手机",
    "邮箱",
    "地址",
    "身份证",
    "生日",
    "客户姓名",
    "手机号码",
]


@pytest.mark.parametrize("name", [case(n, n, verdict="ok") for n in PERSONAL_NAMES])
def test_a_personal_column_name_is_recognised(name):
    assert looks_personal(name)


@pytest.mark.parametrize(
    "name",
    [
        case(n, n, verdict="ok")
        for n in ("plan", "region", "monthly_fee", "contract", "套餐", "Tenure Months")
    ],
)
def test_an_ordinary_attribute_name_is_not_personal(name):
    assert not looks_personal(name)


def _emails(r, f, n):
    return [f"user{i}@example.com" for i in range(n)]


def _phones(r, f, n):
    return [f"+1-555-{i // 1000:03d}-{i % 1000:04d}" for i in range(n)]


def _cn_mobiles(r, f, n):
    return [f"138{i:08d}" for i in range(n)]


def _id_numbers(r, f, n):
    return [f"11010519900307{i:04d}" for i in range(n)]


SHAPES = [
    case("e-mails in 'contact'", "contact", _emails, "e-mail addresses", verdict="ok"),
    case("phones in 'notes'", "notes", _phones, "phone numbers", verdict="ok"),
    case("Chinese mobiles in '备注'", "备注", _cn_mobiles, "phone numbers", verdict="ok"),
    case("id numbers in 'ref'", "ref", _id_numbers, "id numbers", verdict="ok"),
]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize(("column", "make", "kind"), SHAPES)
def test_personal_values_are_recognised_by_their_shape(tmp_path, column, make, kind, suffix):
    data = snapshot_data(tmp_path / "d", {column: make}, rows=60, suffix=suffix)
    values = make(np.random.default_rng(0), np.zeros(60), 60)

    tables = churnlab.load_tables(data)

    assert personal_values(values) == kind
    assert column in tables.personal_columns and column not in tables.attribute_columns


@pytest.mark.parametrize(("column", "make", "kind"), SHAPES)
def test_personal_values_are_recognised_when_parquet_is_read_in_place(
    tiny_demo, tmp_path, column, make, kind
):
    from churnlab.tables.direct import plan_direct_read

    data = Path(shutil.copytree(tiny_demo, tmp_path / "d"))
    customers = pd.read_parquet(data / "customers.parquet")
    values = make(np.random.default_rng(0), np.zeros(len(customers)), len(customers))
    customers.assign(**{column: values}).to_parquet(data / "customers.parquet", index=False)

    plan = plan_direct_read(data)

    assert plan is not None, "the data should be read in place"
    assert column in plan.personal_columns and column not in plan.attribute_columns


@pytest.mark.parametrize(
    "values",
    [
        case("plan names", ["basic", "gold", "silver"], verdict="ok"),
        case("dates as text", ["2024-01-31", "2023-12-01"], verdict="ok"),
        case("amounts as text", ["1234.50", "99.90", "12,5"], verdict="ok"),
        case("short codes", ["0001", "A12", "B7"], verdict="ok"),
    ],
)
def test_ordinary_text_values_are_not_personal(values):
    assert personal_values(values) is None


@pytest.fixture(scope="module")
def leaky_model(tmp_path_factory):
    """A model trained on customers with names, e-mails, phones and birthdays under every
    kind of column name, and a 300-value text attribute."""
    folder = tmp_path_factory.mktemp("personal") / "d"
    columns = {
        "Customer Name": lambda r, f, n: [f"Name{i} Surname{i}" for i in range(n)],
        "E-Mail": _emails,
        "Mobile Number": _phones,
        "dob": lambda r, f, n: [f"19{50 + i % 50}-01-{1 + i % 28:02d}" for i in range(n)],
        "姓名": lambda r, f, n: [f"张{i}" for i in range(n)],
        "contact": _emails,
        "shop": lambda r, f, n: [f"shop{i % 300:03d}" for i in range(n)],
    }
    frame = snapshot_frame(folder, columns=columns, rows=900)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = train(frame, FAST, created_at="2024-07-01", progress=False)
    return frame, model, save_model(model, folder.parent / "model"), folder


@pytest.mark.parametrize(
    "column",
    [
        case(c, c, verdict="ok")
        for c in ("Customer Name", "E-Mail", "Mobile Number", "dob", "姓名", "contact")
    ],
)
def test_personal_columns_are_never_features(leaky_model, column):
    frame, model, _, _ = leaky_model

    assert column not in frame.feature_names and column not in model.card_.feature_names
    assert f"customers.{column}" not in model.card_.vocabulary


@pytest.mark.parametrize(
    "artefact", [case(name, name, verdict="ok") for name in ("card.json", "baseline.json")]
)
def test_no_artefact_stores_personal_values_or_rare_categories(leaky_model, artefact):
    _, _, folder, _ = leaky_model
    text = (folder / artefact).read_text(encoding="utf-8")

    for leaked in ("@example.com", "Surname", "+1-555", "张1"):
        assert leaked not in text
    assert len(set(re.findall(r"shop\d{3}", text))) == MAX_CATEGORIES - 1


@pytest.mark.parametrize("shown", [case("300 shops capped to 50", "shop", verdict="ok")])
def test_a_high_cardinality_attribute_is_capped_with_other(leaky_model, shown):
    _, model, _, data = leaky_model
    categories = model.card_.categories[shown]

    assert len(categories) == MAX_CATEGORIES and OTHER in categories
    customers = pd.read_csv(data / "customers.csv")
    top = customers[shown].value_counts().index[0]
    assert top in categories


@pytest.mark.parametrize("value", [case("a rare shop at scoring", "shop299", verdict="ok")])
def test_a_rare_value_of_a_capped_attribute_scores_as_other_without_a_warning(leaky_model, value):
    frame, model, _, _ = leaky_model
    rows = frame.frame.head(3).copy()
    rows["shop"] = pd.Categorical([value, value, value])

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnseenCategoryWarning)
        matrix = model.features_matrix(rows.assign(shop=rows["shop"].astype(str)))

    assert (matrix["shop"] == OTHER).all()
