#!/bin/sh
# Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d): the role the
# gateway connects as owns the placement database and nothing else; it is no superuser, so
# SQL reaching PostgreSQL through the gateway cannot run programs or read server files.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$PLACEMENT_DB_PASSWORD" <<'SQL'
CREATE ROLE placement LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
CREATE DATABASE placement OWNER placement;
SQL
