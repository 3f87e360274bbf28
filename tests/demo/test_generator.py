"""The synthetic demo operator: files, types, invariants, the causal model and the spec."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from churnlab.demo import DemoResult, DemoSpec, generate_demo
from churnlab.errors import SpecError

SPEC = DemoSpec(customers=6_000, months=18, seed=11)
SMALL = DemoSpec(customers=600, months=6, seed=3)
FILES = (
    "customers.parquet",
    "bills.parquet",
    "complaints.parquet",
    "service_events.parquet",
    "truth/customer_month.parquet",
)
TS = pa.timestamp("us")
SCHEMAS = {
    "customers": [
        ("customer_id", pa.string()),
        ("signup_date", TS),
        ("end_date", TS),
        ("plan", pa.string()),
        ("region", pa.string()),
        ("contract", pa.string()),
        ("payment_method", pa.string()),
        ("monthly_fee", pa.float64()),
        ("phone", pa.string()),
    ],
    "bills": [
        ("customer_id", pa.string()),
        ("bill_date", TS),
        ("amount", pa.float64()),
        ("due_date", TS),
        ("paid_date", TS),
        ("recorded_at", TS),
    ],
    "complaints": [
        ("customer_id", pa.string()),
        ("opened_at", TS),
        ("category", pa.string()),
        ("resolved_at", TS),
        ("channel", pa.string()),
        ("recorded_at", TS),
    ],
    "service_events": [
        ("customer_id", pa.string()),
        ("occurred_at", TS),
        ("kind", pa.string()),
        ("duration_minutes", pa.float64()),
    ],
    "truth/customer_month": [
        ("customer_id", pa.string()),
        ("month", TS),
        ("hazard", pa.float64()),
        ("hazard_observable", pa.float64()),
        ("cause", pa.string()),
        ("hazard_service", pa.float64()),
        ("hazard_price", pa.float64()),
        ("hazard_product", pa.float64()),
        ("hazard_payment", pa.float64()),
        ("hazard_natural", pa.float64()),
        ("hazard_moderator", pa.float64()),
        ("fix_cause", pa.string()),
    ],
}
EVENT_DATES = {"bills": "bill_date", "complaints": "opened_at", "service_events": "occurred_at"}
ZH_WORDS = {
    ("customers", "region"): {"华东", "华南", "华北", "华中", "西南", "东北", "西北"},
    ("customers", "contract"): {"月付", "一年", "两年"},
    ("customers", "plan"): {"基础套餐", "标准套餐", "高级套餐", "无限套餐"},
    ("customers", "payment_method"): {"自动扣款", "信用卡", "银行转账", "现金"},
    ("complaints", "category"): {"网络", "账单", "服务", "产品", "其他"},
    ("complaints", "channel"): {"电话", "应用", "营业厅", "邮件"},
    ("service_events", "kind"): {"网络中断", "掉话", "网速慢"},
}


def _frames(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in SCHEMAS}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("demo_en")
    return generate_demo(out, SPEC), _frames(out)


@pytest.fixture(scope="module")
def demo_zh(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("demo_zh")
    spec = DemoSpec(customers=SPEC.customers, months=SPEC.months, seed=SPEC.seed, locale="zh")
    return generate_demo(out, spec), _frames(out)


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    runs = {
        "first": SMALL,
        "again": SMALL,
        "other": DemoSpec(customers=SMALL.customers, months=SMALL.months, seed=SMALL.seed + 1),
    }
    out = {}
    for name, spec in runs.items():
        out[name] = tmp_path_factory.mktemp(name)
        generate_demo(out[name], spec)
    return out


@pytest.fixture(scope="module")
def churn_months(demo: tuple[DemoResult, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """The truth rows with ``churned``: the customer's end_date falls in that month."""
    _, frames = demo
    truth = frames["truth/customer_month"].merge(
        frames["customers"][["customer_id", "end_date"]], on="customer_id"
    )
    month_end = truth["month"] + pd.offsets.MonthBegin(1)
    return truth.assign(
        churned=(truth["end_date"] >= truth["month"]) & (truth["end_date"] < month_end)
    )


# --- determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*FILES, "churnlab.toml"])
def test_same_seed_gives_identical_files(small_runs: dict[str, Path], name: str) -> None:
    first, again = small_runs["first"] / name, small_runs["again"] / name
    if name.endswith(".toml"):
        assert first.read_text(encoding="utf-8") == again.read_text(encoding="utf-8")
    else:
        assert pq.read_table(first).equals(pq.read_table(again))


@pytest.mark.parametrize("name", ["bills.parquet", "truth/customer_month.parquet"])
def test_other_seed_gives_other_data(small_runs: dict[str, Path], name: str) -> None:
    assert not pq.read_table(small_runs["first"] / name).equals(
        pq.read_table(small_runs["other"] / name)
    )


def test_no_partial_files_are_left(small_runs: dict[str, Path]) -> None:
    names = sorted(str(p.relative_to(small_runs["first"])) for p in small_runs["first"].rglob("*"))
    assert names == sorted([*FILES, "churnlab.toml", "truth"])


# --- files, columns, types -----------------------------------------------------------------


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_columns_and_types(demo: tuple[DemoResult, dict[str, pd.DataFrame]], table: str) -> None:
    result, _ = demo
    schema = pq.read_schema(result.out_dir / f"{table}.parquet")
    assert [(f.name, f.type) for f in schema] == SCHEMAS[table]


def test_result_counts_rows_and_prints_one_line(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    result, frames = demo
    assert result.rows == {t: len(frames[t]) for t in result.rows}
    assert result.truth_rows == len(frames["truth/customer_month"])
    assert result.churned == frames["customers"]["end_date"].notna().sum()
    assert re.fullmatch(
        r"<DemoResult: 6,000 customers, 18 months, 4 tables, [\d,]+ event rows in .+>",
        repr(result),
    )
    assert json.loads(json.dumps(result.to_dict()))["spec"] == SPEC.to_dict()


def test_config_holds_the_extract_date(demo: tuple[DemoResult, dict[str, pd.DataFrame]]) -> None:
    result, _ = demo
    text = (result.out_dir / "churnlab.toml").read_text(encoding="utf-8")
    assert result.extract_date == dt.date(2024, 6, 30) == SPEC.extract_date
    assert re.search(r'^extract_date = "2024-06-30"', text, flags=re.MULTILINE)
    assert text.startswith("# churnlab data config")


def test_ids_are_zero_padded_unique_strings(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    _, frames = demo
    ids = frames["customers"]["customer_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"0\d{4}").all()  # 6,000 customers: 5 digits, leading zero
    assert ids.iloc[0] == "00001"
    for table in [*EVENT_DATES, "truth/customer_month"]:
        assert frames[table]["customer_id"].isin(ids).all()


def test_phone_is_personal_text(demo: tuple[DemoResult, dict[str, pd.DataFrame]]) -> None:
    _, frames = demo
    assert frames["customers"]["phone"].str.fullmatch(r"\+1-555-\d{3}-\d{4}").all()


# --- time invariants -----------------------------------------------------------------------


def test_nothing_is_dated_after_the_extract_date(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    result, frames = demo
    extract = pd.Timestamp(result.extract_date)
    for table, frame in frames.items():
        for column in frame.select_dtypes("datetime").columns:
            assert (frame[column].dropna() <= extract).all(), f"{table}.{column}"


def test_end_date_is_not_before_signup(demo: tuple[DemoResult, dict[str, pd.DataFrame]]) -> None:
    _, frames = demo
    customers = frames["customers"]
    ended = customers.dropna(subset=["end_date"])
    assert 0 < len(ended) < len(customers)
    assert (ended["end_date"] >= ended["signup_date"]).all()


@pytest.mark.parametrize("table", list(EVENT_DATES))
def test_events_only_while_active(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]], table: str
) -> None:
    _, frames = demo
    when = EVENT_DATES[table]
    events = frames[table].merge(frames["customers"], on="customer_id")
    assert len(events) > 0
    assert (events[when] >= events["signup_date"]).all()
    assert (events["end_date"].isna() | (events[when] <= events["end_date"])).all()


def test_event_times_are_consistent(demo: tuple[DemoResult, dict[str, pd.DataFrame]]) -> None:
    _, frames = demo
    bills, complaints = frames["bills"], frames["complaints"]
    assert (bills["amount"] >= 0).all()
    assert (bills["due_date"] == bills["bill_date"] + pd.Timedelta(days=14)).all()
    assert (bills["paid_date"].dropna() >= bills.loc[bills["paid_date"].notna(), "bill_date"]).all()
    assert (bills["paid_date"] > bills["due_date"]).any()  # some pay late
    assert (bills["recorded_at"] > bills["bill_date"]).mean() < 0.05
    assert (frames["service_events"]["duration_minutes"] >= 0).all()
    resolved = complaints.dropna(subset=["resolved_at"])
    assert (resolved["resolved_at"] >= resolved["opened_at"]).all()
    assert (complaints["recorded_at"] >= complaints["opened_at"]).all()


def test_late_recorded_complaints_exist(demo: tuple[DemoResult, dict[str, pd.DataFrame]]) -> None:
    _, frames = demo
    complaints = frames["complaints"]
    late = complaints["recorded_at"] - complaints["opened_at"] >= pd.Timedelta(days=1)
    assert 0.01 < late.mean() < 0.10


def test_resolution_times_are_long_tailed(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    _, frames = demo
    complaints = frames["complaints"]
    hours = (complaints["resolved_at"] - complaints["opened_at"]).dt.total_seconds() / 3600
    assert hours.quantile(0.1) < 6
    assert hours.quantile(0.99) > 14 * 24


# --- locales -------------------------------------------------------------------------------


def test_zh_gives_chinese_words_and_the_same_rows(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
    demo_zh: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    result, frames = demo
    result_zh, frames_zh = demo_zh
    assert result_zh.rows == result.rows
    assert result_zh.truth_rows == result.truth_rows
    for (table, column), words in ZH_WORDS.items():
        assert set(frames_zh[table][column]) <= words, f"{table}.{column}"
    pd.testing.assert_series_equal(frames_zh["bills"]["amount"], frames["bills"]["amount"])
    assert set(frames_zh["truth/customer_month"]["cause"]) <= {
        "service",
        "price",
        "product",
        "payment",
        "natural",
    }
    assert set(frames_zh["truth/customer_month"]["fix_cause"]) <= {
        "service",
        "price",
        "product",
        "payment",
        "none",
    }


# --- the truth -----------------------------------------------------------------------------


def _active_months(customers: pd.DataFrame, spec: DemoSpec) -> set[tuple[str, pd.Timestamp]]:
    rows = set()
    for offset in range(spec.months):
        month = pd.Timestamp(spec.start) + pd.DateOffset(months=offset)
        active = (customers["signup_date"] <= month) & (
            customers["end_date"].isna() | (customers["end_date"] >= month)
        )
        rows |= {(c, month) for c in customers.loc[active, "customer_id"]}
    return rows


def test_truth_has_one_row_per_active_customer_month(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    _, frames = demo
    truth = frames["truth/customer_month"]
    keys = list(zip(truth["customer_id"], truth["month"], strict=True))
    assert len(keys) == len(set(keys))
    assert set(keys) == _active_months(frames["customers"], SPEC)
    bills = frames["bills"]
    assert set(zip(bills["customer_id"], bills["bill_date"], strict=True)) == set(keys)


def test_truth_hazards_and_causes(demo: tuple[DemoResult, dict[str, pd.DataFrame]]) -> None:
    _, frames = demo
    truth = frames["truth/customer_month"]
    assert truth["hazard"].between(0, 1, inclusive="neither").all()
    shares = truth["cause"].value_counts(normalize=True)
    assert set(shares.index) == {"service", "price", "product", "payment", "natural"}


def test_hazards_match_the_observed_churn(churn_months: pd.DataFrame) -> None:
    expected = churn_months["hazard"].sum()
    spread = np.sqrt((churn_months["hazard"] * (1 - churn_months["hazard"])).sum())
    assert abs(churn_months["churned"].sum() - expected) < 4 * spread
    assert 0.01 < churn_months["churned"].mean() < 0.03


def test_most_churn_has_a_service_cause(churn_months: pd.DataFrame) -> None:
    causes = churn_months.loc[churn_months["churned"], "cause"].value_counts(normalize=True)
    assert causes.index[0] == "service"
    assert 0.45 < causes["service"] < 0.8
    assert causes[["price", "product"]].min() > 0.05


def test_open_complaints_raise_churn(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]], churn_months: pd.DataFrame
) -> None:
    _, frames = demo
    pairs = churn_months[["customer_id", "month"]].merge(
        frames["complaints"][["customer_id", "opened_at", "resolved_at"]], on="customer_id"
    )
    is_open = (pairs["opened_at"] < pairs["month"]) & (
        pairs["resolved_at"].isna() | (pairs["resolved_at"] >= pairs["month"])
    )
    open_keys = pairs.loc[is_open, ["customer_id", "month"]].drop_duplicates()
    flagged = churn_months.merge(
        open_keys.assign(open=True), how="left", on=["customer_id", "month"]
    )
    rates = flagged.groupby(flagged["open"].fillna(False).astype(bool))["churned"].mean()
    assert flagged["open"].notna().sum() > 150
    assert rates[True] > 2 * rates[False]


def test_contracts_and_tenure_moderate_churn(churn_months: pd.DataFrame, demo: tuple) -> None:
    _, frames = demo
    rows = churn_months.merge(frames["customers"][["customer_id", "contract"]], on="customer_id")
    rates = rows.groupby("contract")["churned"].mean()
    assert rates["month-to-month"] > 1.5 * rates["one-year"] > 1.5 * rates["two-year"]


def test_complaints_follow_service_failures(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    _, frames = demo
    month = frames["service_events"]["occurred_at"].dt.to_period("M")
    failed = set(zip(frames["service_events"]["customer_id"], month, strict=True))
    truth = frames["truth/customer_month"]
    keys = pd.Series(list(zip(truth["customer_id"], truth["month"].dt.to_period("M"), strict=True)))
    complaint_keys = frames["complaints"]["customer_id"] + frames["complaints"][
        "opened_at"
    ].dt.to_period("M").astype(str)
    counts = complaint_keys.value_counts()
    per_month = keys.map(lambda k: counts.get(k[0] + str(k[1]), 0))
    with_failure = keys.map(lambda k: k in failed)
    assert per_month[with_failure].mean() > 2 * per_month[~with_failure].mean()


def test_regional_outages_hit_many_customers_at_once(
    demo: tuple[DemoResult, dict[str, pd.DataFrame]],
) -> None:
    _, frames = demo
    outages = frames["service_events"].query("kind == 'outage'")
    outages = outages.merge(frames["customers"][["customer_id", "region"]], on="customer_id")
    episodes = outages.groupby("occurred_at").agg(
        customers=("customer_id", "nunique"), regions=("region", "nunique")
    )
    big = episodes[episodes["customers"] >= 20]
    assert len(big) >= 5
    assert (big["regions"] == 1).all()


# --- the spec ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customers": 0}, r"DemoSpec.customers must be a positive whole number .*got 0\."),
        ({"customers": 2.5}, r"DemoSpec.customers must be a positive whole number .*got 2\.5\."),
        ({"customers": True}, r"DemoSpec.customers .* got True\."),
        ({"months": -1}, r"DemoSpec.months must be a positive whole number .*got -1\."),
        ({"seed": -3}, r"DemoSpec.seed must be a non-negative whole number, got -3\."),
        ({"locale": "fr"}, r"DemoSpec.locale must be one of 'en', 'zh', got 'fr'\."),
        ({"start": "2023-01-01"}, r"DemoSpec.start must be a datetime.date, got '2023-01-01'\."),
        ({"start": dt.date(2023, 1, 15)}, r"first day of a month, got 2023-01-15\."),
    ],
)
def test_spec_rejects_bad_values(kwargs: dict, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        DemoSpec(**kwargs)


def test_spec_round_trips_through_json() -> None:
    spec = DemoSpec(customers=123, months=5, seed=9, locale="zh", start=dt.date(2020, 2, 1))
    assert DemoSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_spec_from_dict_names_unknown_keys() -> None:
    with pytest.raises(SpecError, match=r"no setting 'custmers'.*Did you mean 'customers'\?"):
        DemoSpec.from_dict({"custmers": 10})
    with pytest.raises(SpecError, match=r"DemoSpec.start must be an ISO date"):
        DemoSpec.from_dict({"start": "January"})


def test_generate_demo_needs_a_spec(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="generate_demo needs a DemoSpec, got dict"):
        generate_demo(tmp_path, {"customers": 10})  # type: ignore[arg-type]


def test_a_single_customer_and_month_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = generate_demo(tmp_path / "tiny", DemoSpec(customers=1, months=1), progress=True)
    assert "Simulating months" in capsys.readouterr().err
    customers = pd.read_parquet(tmp_path / "tiny" / "customers.parquet")
    assert customers["customer_id"].tolist() == ["01"]
    assert result.rows["customers"] == 1
    assert result.rows["bills"] == result.truth_rows == 1


def test_observable_hazard_knows_less_than_the_true_one(churn_months: pd.DataFrame) -> None:
    """The observable hazard (proneness at its mean) ranks churners worse than the true one,
    which also knows each customer's unobserved frailty and sensitivities, but well above chance."""
    from sklearn.metrics import roc_auc_score

    assert churn_months["hazard_observable"].between(0, 1, inclusive="neither").all()
    churned = churn_months["churned"]
    full = roc_auc_score(churned, churn_months["hazard"])
    seen = roc_auc_score(churned, churn_months["hazard_observable"])
    assert 0.6 < seen < full
