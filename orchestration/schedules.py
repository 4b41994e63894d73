"""Automatic download: the whole pipeline every five minutes."""

import dagster as dg

from orchestration.jobs import everything_job, in_progress_runs


@dg.schedule(
    cron_schedule="*/5 * * * *",
    job=everything_job,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs `everything` every 5 minutes, unless a run of it is still going.",
)
def every_five_minutes(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    busy = in_progress_runs(context.instance)
    if busy:
        return dg.SkipReason(f"`everything` is still running ({busy[0]})")
    return dg.RunRequest(tags={"oms/trigger": "schedule"})


schedules = [every_five_minutes]
