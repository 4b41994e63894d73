"""Great Expectations suites and SQL tie-outs as Dagster asset checks.

Each check calls ``expectations.runner`` (which writes one row per expectation into
``quality.check_results``) and reports the outcome to Dagster. Great Expectations is imported
inside the check bodies: importing it costs seconds, which the code location must not pay.
"""

from collections.abc import Callable

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from expectations.runner import CheckOutcome, SuiteOutcome
from orchestration.dbt_assets import dbt_models
from orchestration.ingestion_assets import (
    RAW_AMAZON_ORDER_ITEMS,
    RAW_AMAZON_ORDERS,
    RAW_BATCHES,
    RAW_SHOPIFY_ORDERS,
)
from orchestration.resources import WarehouseResource

FCT_ORDERS = get_asset_key_for_model([dbt_models], "fct_orders")
FCT_EXCEPTION_COVERAGE_DAILY = get_asset_key_for_model([dbt_models], "fct_exception_coverage_daily")
SAMPLE_FAILURES = 10


def _suite_result(
    outcome: SuiteOutcome, severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
) -> dg.AssetCheckResult:
    failed = outcome.failed
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=severity,
        description=(
            f"{len(outcome.outcomes)} expectations passed on {outcome.asset}"
            if outcome.success
            else f"{len(failed)} of {len(outcome.outcomes)} expectations failed on {outcome.asset}"
        ),
        metadata={
            "suite": outcome.suite_name,
            "table": outcome.asset,
            "rows": outcome.evaluated_count,
            "expectations": len(outcome.outcomes),
            "failed_expectations": len(failed),
            "failures": dg.MetadataValue.json(
                [
                    {"check": o.check_name, "failed_count": o.failed_count, "result": o.details.get("result")}
                    for o in failed[:SAMPLE_FAILURES]
                ]
            ),
        },
    )


def _tieout_result(outcome: CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "evaluated": outcome.evaluated_count or 0,
            "failed": outcome.failed_count or 0,
            "details": dg.MetadataValue.json(dict(outcome.details)),
        },
    )


def _raw_suite_check(asset_key: dg.AssetKey, module_name: str) -> dg.AssetChecksDefinition:
    """A check running ``expectations.<module_name>.suite()`` on the table the module names."""

    @dg.asset_check(
        asset=asset_key,
        name=f"{module_name}_suite",
        description=f"Great Expectations suite expectations/{module_name}.py: the raw landing shape.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        import importlib

        from expectations import runner

        module = importlib.import_module(f"expectations.{module_name}")
        outcome = runner.run_suite(
            module.suite(),
            module.SCHEMA,
            module.TABLE,
            run_id=context.op_execution_context.run_id,
            url=warehouse.url(),
        )
        return _suite_result(outcome)

    return _check


raw_suite_checks = [
    _raw_suite_check(RAW_SHOPIFY_ORDERS, "raw_shopify_orders"),
    _raw_suite_check(RAW_AMAZON_ORDERS, "raw_amazon_orders"),
    _raw_suite_check(RAW_AMAZON_ORDER_ITEMS, "raw_amazon_order_items"),
]


@dg.asset_check(
    asset=FCT_ORDERS,
    name="fct_orders_suite",
    description="Great Expectations suite expectations/fct_orders.py: keys, status, currency, money.",
)
def fct_orders_suite(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    from expectations import fct_orders, runner

    outcome = runner.run_suite(
        fct_orders.suite(),
        fct_orders.SCHEMA,
        fct_orders.TABLE,
        run_id=context.op_execution_context.run_id,
        url=warehouse.url(),
    )
    return _suite_result(outcome)


@dg.asset_check(
    asset=FCT_EXCEPTION_COVERAGE_DAILY,
    name="coverage_suite",
    description=(
        "Great Expectations suite expectations/coverage.py: on every store-day with enough orders, "
        "each exception type's rate is within the seed exception_rate_thresholds. Warns: the "
        "pipeline worked, the orders it could not convert wait in the exception queue."
    ),
)
def coverage_suite(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    from expectations import coverage, runner

    outcome = runner.run_suite(
        coverage.suite(),
        coverage.SCHEMA,
        coverage.TABLE,
        run_id=context.op_execution_context.run_id,
        url=warehouse.url(),
        result_format=coverage.result_format(),
    )
    # A warning, not an error: too many exceptions is a fact about the channels' data that people
    # act on (the failed rules and their store-days are in the result), not a failed pipeline run.
    return _suite_result(outcome, severity=dg.AssetCheckSeverity.WARN)


def _tieout_check(
    asset_key: dg.AssetKey,
    name: str,
    description: str,
    compute: Callable[[str], CheckOutcome],
) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset_key, name=name, description=description)
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from expectations import runner

        outcome = compute(warehouse.url())
        runner.record([outcome], run_id=context.op_execution_context.run_id, url=warehouse.url())
        return _tieout_result(outcome)

    return _check


def _landed_orders_once(url: str) -> CheckOutcome:
    from expectations.tieouts import landed_orders_once

    return landed_orders_once(url)


def _batch_ledger(url: str) -> CheckOutcome:
    from expectations.tieouts import batch_ledger

    return batch_ledger(url)


every_landed_order_once = _tieout_check(
    FCT_ORDERS,
    "every_landed_order_once",
    "Every order landed in a raw order table appears exactly once in marts.fct_orders (SQL tie-out).",
    _landed_orders_once,
)

batch_ledger_reconciles = _tieout_check(
    RAW_BATCHES,
    "batch_ledger_reconciles",
    "For every committed batch fetched = landed + duplicate + rejected, and landed = the raw rows "
    "carrying its batch_id (SQL tie-out).",
    _batch_ledger,
)

quality_checks = [
    *raw_suite_checks,
    fct_orders_suite,
    coverage_suite,
    every_landed_order_once,
    batch_ledger_reconciles,
]
GX_CHECK_NAMES = frozenset(spec.name for checks in quality_checks for spec in checks.check_specs)
