-- Every batch looks for its store's stale running batches: keep that lookup off the history.
create index if not exists batches_running_idx
    on raw.batches (tenant_id, source, store_id) where status = 'running';
