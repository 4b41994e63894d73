-- Schemas of the warehouse (DESIGN.md, "Database layout").
create schema if not exists raw;
create schema if not exists app;
create schema if not exists reference;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists quality;
create extension if not exists pg_trgm;
