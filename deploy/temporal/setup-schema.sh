#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to this server
# version (idempotent: a second run finds them and only applies what is new).
set -eu
sql() { temporal-sql-tool --plugin postgres12 --ep postgresql -u temporal -p 5432 --db "$@"; }
for db in temporal temporal_visibility; do
  dir=temporal; [ "$db" = temporal_visibility ] && dir=visibility
  sql "$db" create 2>/dev/null || echo "database $db exists"
  sql "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db exists"
  sql "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$dir/versioned"
done
echo 'Temporal schema ready'
