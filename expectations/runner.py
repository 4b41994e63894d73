"""Run a Great Expectations suite on a warehouse table and keep the outcome in ``quality``.

Code-first and ephemeral (STACK.md): nothing about GX is stored on disk, and the connection string
lives only in memory. Great Expectations costs seconds to import, so it is imported inside
``validate_table``, never when this module (or Dagster's code location) loads.

Each expectation, and each SQL tie-out, becomes one row of ``quality.check_results``.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from warehouse import db, settings

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

# The keys of a GX result worth keeping: counts and a short sample of what failed.
_RESULT_KEYS = (
    "observed_value",
    "element_count",
    "unexpected_count",
    "unexpected_percent",
    "missing_count",
    "partial_unexpected_list",
    "unexpected_index_list",  # the failing rows' keys, when a suite asks for them (coverage)
)
# How many failing rows' keys a result keeps.
_INDEX_SAMPLE = 20


@dataclass(frozen=True)
class CheckOutcome:
    """One expectation or tie-out, as written to ``quality.check_results``."""

    check_name: str
    asset: str
    success: bool
    evaluated_count: int | None = None
    failed_count: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuiteOutcome:
    """A suite's run over one table."""

    suite_name: str
    asset: str
    outcomes: list[CheckOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def evaluated_count(self) -> int:
        return max((o.evaluated_count or 0 for o in self.outcomes), default=0)


def _quiet_gx() -> None:
    """GX logs every Python warning and draws progress bars; neither belongs in a pipeline log."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def _expectation_label(
    expectation_type: str, kwargs: Mapping[str, Any], description: str | None = None
) -> str:
    if description:  # a suite that checks one column under several rules names each rule
        return description
    target = kwargs.get("column") or kwargs.get("column_list") or kwargs.get("column_A")
    if isinstance(target, list | tuple):
        target = ",".join(target)
    return f"{expectation_type}({target})" if target else expectation_type


def _jsonable(value: Any) -> Any:
    # GX names the failing rows' columns with SQLAlchemy's quoted_name, a str subclass orjson
    # takes as a key only with OPT_NON_STR_KEYS
    return orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))


def validate_table(
    suite: ExpectationSuite,
    schema: str,
    table: str,
    *,
    url: str | None = None,
    result_format: str | Mapping[str, Any] = "BASIC",
) -> SuiteOutcome:
    """Validate every row of ``schema.table`` against ``suite`` and return one outcome per expectation.

    ``result_format`` is GX's: a suite that wants the failing rows' keys in its details passes
    ``{"result_format": "COMPLETE", "unexpected_index_column_names": [...]}``.
    """
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_postgres(
        name="warehouse", connection_string=settings.sqlalchemy_url(url or settings.database_url())
    )
    try:
        with warnings.catch_warnings():
            # GX 1.24 prefers the schema in the connection's search_path; one datasource per
            # table would be the price, for nothing: the table asset still reads schema.table.
            warnings.filterwarnings("ignore", message=".*schema_name.*", category=DeprecationWarning)
            asset = source.add_table_asset(name=f"{schema}.{table}", table_name=table, schema_name=schema)
        batch = asset.add_batch_definition_whole_table("whole_table").get_batch()
        result = batch.validate(context.suites.add(suite), result_format=result_format)
    finally:
        source.get_engine().dispose()

    asset_name = f"{schema}.{table}"
    outcomes: list[CheckOutcome] = []
    for r in result.results:
        config = r.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        res = dict(r.result or {})
        if res.get("unexpected_index_list"):
            res["unexpected_index_list"] = res["unexpected_index_list"][:_INDEX_SAMPLE]
        unexpected = res.get("unexpected_count")
        if unexpected is None and not r.success:
            unexpected = 1  # an aggregate expectation (e.g. a row count): the table failed once
        outcomes.append(
            CheckOutcome(
                check_name=f"{suite.name}: {_expectation_label(config.type, kwargs, config.description)}",
                asset=asset_name,
                success=bool(r.success),
                evaluated_count=res.get("element_count"),
                failed_count=unexpected if unexpected is not None else 0,
                details=_jsonable(
                    {
                        "suite": suite.name,
                        "expectation": config.type,
                        "kwargs": kwargs,
                        "result": {k: res[k] for k in _RESULT_KEYS if k in res},
                        **({"meta": dict(config.meta)} if config.meta else {}),
                        **(
                            {"exception": r.exception_info.get("exception_message")}
                            if r.exception_info and r.exception_info.get("raised_exception")
                            else {}
                        ),
                    }
                ),
            )
        )
    return SuiteOutcome(suite_name=suite.name, asset=asset_name, outcomes=outcomes)


def record(outcomes: Iterable[CheckOutcome], *, run_id: str | None, url: str | None = None) -> int:
    """Append outcomes to ``quality.check_results`` in one transaction; returns the rows written."""
    rows = [
        (
            run_id,
            o.check_name,
            o.asset,
            o.success,
            o.evaluated_count,
            o.failed_count,
            orjson.dumps(o.details, default=str).decode(),
        )
        for o in outcomes
    ]
    if not rows:
        return 0
    with db.transaction(url) as cur:
        cur.executemany(
            """insert into quality.check_results
                   (run_id, check_name, asset, success, evaluated_count, failed_count, details)
               values (%s, %s, %s, %s, %s, %s, %s::jsonb)""",
            rows,
        )
    return len(rows)


def run_suite(
    suite: ExpectationSuite,
    schema: str,
    table: str,
    *,
    run_id: str | None,
    url: str | None = None,
    result_format: str | Mapping[str, Any] = "BASIC",
) -> SuiteOutcome:
    """Validate a table and record the outcome: what an asset check calls."""
    outcome = validate_table(suite, schema, table, url=url, result_format=result_format)
    record(outcome.outcomes, run_id=run_id, url=url)
    return outcome
