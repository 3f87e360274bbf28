-- A hand-written single DuckDB query for 44 features comparable to churnlab's, as of one cutoff.
-- The benchmarks' reference: it reads the Parquet files directly and trusts them (no validation).
-- Parameters: {dir} data directory, {c} cutoff date (YYYY-MM-DD); {loyalty_cte}, {loyalty} and
-- {loyalty_join}: how far it takes the loyalty points (bench_features.py fills them in:
-- the months since the last wipe and the total spend, or the exact points).
WITH
cust AS (
  SELECT * FROM read_parquet('{dir}/customers.parquet')
  WHERE signup_date::DATE <= DATE '{c}' AND (end_date IS NULL OR end_date::DATE > DATE '{c}')
),
b AS (
  SELECT customer_id, bill_date::DATE AS d, amount, due_date::DATE AS due, paid_date::DATE AS paid
  FROM read_parquet('{dir}/bills.parquet')
  WHERE bill_date::DATE <= DATE '{c}' AND (recorded_at IS NULL OR recorded_at::DATE <= DATE '{c}')
),
ba AS (
  SELECT customer_id,
    SUM(amount) FILTER (WHERE d > DATE '{c}' - INTERVAL 1 MONTH) AS m1,
    SUM(amount) FILTER (WHERE d > DATE '{c}' - INTERVAL 2 MONTH AND d <= DATE '{c}' - INTERVAL 1 MONTH) AS m2,
    SUM(amount) FILTER (WHERE d > DATE '{c}' - INTERVAL 3 MONTH AND d <= DATE '{c}' - INTERVAL 2 MONTH) AS m3,
    SUM(amount) FILTER (WHERE d > DATE '{c}' - INTERVAL 4 MONTH AND d <= DATE '{c}' - INTERVAL 3 MONTH) AS m4,
    SUM(amount) FILTER (WHERE d > DATE '{c}' - INTERVAL 5 MONTH AND d <= DATE '{c}' - INTERVAL 4 MONTH) AS m5,
    SUM(amount) FILTER (WHERE d > DATE '{c}' - INTERVAL 6 MONTH AND d <= DATE '{c}' - INTERVAL 5 MONTH) AS m6,
    COUNT(*) FILTER (WHERE due < DATE '{c}' AND (paid IS NULL OR paid > due) AND due > DATE '{c}' - 365) AS late_12m,
    COUNT(*) FILTER (WHERE due < DATE '{c}' AND (paid IS NULL OR paid > DATE '{c}')) AS unpaid,
    MAX(due) FILTER (WHERE due < DATE '{c}' AND (paid IS NULL OR paid > due)) AS last_wipe,
    MAX(d) AS last_bill,
    SUM(amount) AS spend_total
  FROM b GROUP BY customer_id
),
q AS (
  SELECT customer_id, opened_at::DATE AS d, opened_at, resolved_at, category
  FROM read_parquet('{dir}/complaints.parquet')
  WHERE opened_at::DATE <= DATE '{c}' AND (recorded_at IS NULL OR recorded_at::DATE <= DATE '{c}')
),
qa AS (
  SELECT customer_id,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 30) AS c30,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 90) AS c90,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 365) AS c365,
    COUNT(*) FILTER (WHERE resolved_at IS NULL OR resolved_at::DATE > DATE '{c}') AS c_open,
    AVG(epoch(resolved_at) - epoch(opened_at)) FILTER (WHERE d > DATE '{c}' - 365 AND resolved_at::DATE <= DATE '{c}') / 86400 AS resolve_days,
    MIN(d) FILTER (WHERE resolved_at IS NULL OR resolved_at::DATE > DATE '{c}') AS oldest_open,
    COUNT(DISTINCT category) FILTER (WHERE d > DATE '{c}' - 90) AS cats90,
    MAX(d) AS last_complaint,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 365 AND category = 'billing') AS c_billing,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 365 AND category = 'network') AS c_network,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 365 AND category = 'service') AS c_service,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 365 AND category = 'product') AS c_product,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 365 AND category = 'other') AS c_other
  FROM q GROUP BY customer_id
),
e AS (
  SELECT customer_id, occurred_at::DATE AS d, kind, duration_minutes
  FROM read_parquet('{dir}/service_events.parquet')
  WHERE occurred_at::DATE <= DATE '{c}'
),
ea AS (
  SELECT customer_id,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 7) AS f7,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 30) AS f30,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 90) AS f90,
    SUM(duration_minutes) FILTER (WHERE d > DATE '{c}' - 90) AS outage90,
    MAX(d) AS last_failure,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 90 AND kind = 'outage') AS f_outage,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 90 AND kind = 'dropped_call') AS f_dropped,
    COUNT(*) FILTER (WHERE d > DATE '{c}' - 90 AND kind = 'slow_data') AS f_slow
  FROM e GROUP BY customer_id
){loyalty_cte}
SELECT
  cust.customer_id, DATE '{c}' AS cutoff,
  DATE '{c}' - cust.signup_date::DATE AS tenure_days,
  COALESCE(m1, 0) AS spend_last_month,
  (COALESCE(m1, 0) + COALESCE(m2, 0) + COALESCE(m3, 0)) / 3 AS spend_mean_3m,
  (COALESCE(m1, 0) + COALESCE(m2, 0) + COALESCE(m3, 0)) / NULLIF(COALESCE(m4, 0) + COALESCE(m5, 0) + COALESCE(m6, 0), 0) AS spend_ratio_3m,
  (2.5 * COALESCE(m1, 0) + 1.5 * COALESCE(m2, 0) + 0.5 * COALESCE(m3, 0) - 0.5 * COALESCE(m4, 0) - 1.5 * COALESCE(m5, 0) - 2.5 * COALESCE(m6, 0)) / 17.5 AS spend_slope_6m,
  GREATEST(0, COALESCE(m1, 0) - COALESCE(m2, 0), COALESCE(m2, 0) - COALESCE(m3, 0), COALESCE(m3, 0) - COALESCE(m4, 0), COALESCE(m4, 0) - COALESCE(m5, 0), COALESCE(m5, 0) - COALESCE(m6, 0)) AS spend_max_increase_6m,
  sqrt((power(COALESCE(m1, 0), 2) + power(COALESCE(m2, 0), 2) + power(COALESCE(m3, 0), 2) + power(COALESCE(m4, 0), 2) + power(COALESCE(m5, 0), 2) + power(COALESCE(m6, 0), 2)) / 6 - power((COALESCE(m1, 0) + COALESCE(m2, 0) + COALESCE(m3, 0) + COALESCE(m4, 0) + COALESCE(m5, 0) + COALESCE(m6, 0)) / 6, 2)) AS spend_std_6m,
  (DATE '{c}' - last_bill) / 30.4375 AS months_since_last_bill,
  COALESCE(late_12m, 0) AS late_payments_12m, COALESCE(unpaid, 0) AS unpaid_bills,
  {loyalty},
  COALESCE(c30, 0) AS complaints_30d, COALESCE(c90, 0) AS complaints_90d, COALESCE(c365, 0) AS complaints_365d,
  COALESCE(c_open, 0) AS complaints_open, resolve_days AS complaint_resolve_days_mean,
  DATE '{c}' - oldest_open AS open_complaint_age_days_max,
  COALESCE(c90, 0) - COALESCE(cats90, 0) AS repeat_complaints_90d,
  DATE '{c}' - last_complaint AS days_since_complaint,
  COALESCE(c_billing, 0) AS c_billing, COALESCE(c_network, 0) AS c_network, COALESCE(c_service, 0) AS c_service,
  COALESCE(c_product, 0) AS c_product, COALESCE(c_other, 0) AS c_other,
  COALESCE(f7, 0) AS failures_7d, COALESCE(f30, 0) AS failures_30d, COALESCE(f90, 0) AS failures_90d,
  COALESCE(outage90, 0) AS outage_minutes_90d,
  (COALESCE(f30, 0) + 1.0) / ((COALESCE(f90, 0) - COALESCE(f30, 0)) / 2.0 + 1.0) AS failure_rate_trend,
  DATE '{c}' - last_failure AS days_since_failure,
  COALESCE(f_outage, 0) AS f_outage, COALESCE(f_dropped, 0) AS f_dropped, COALESCE(f_slow, 0) AS f_slow,
  cust.plan, cust.region, cust.contract, cust.payment_method, cust.monthly_fee
FROM cust
LEFT JOIN ba USING (customer_id)
LEFT JOIN qa USING (customer_id)
LEFT JOIN ea USING (customer_id)
{loyalty_join}
