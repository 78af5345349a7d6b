#!/bin/sh
# Bulk import before/after, alternated in one run: this checkout's importer against another
# checkout's (BEFORE, default /work/main), on PostgreSQL and on SQLite, at each size given.
#     bench/import_ab.sh 20000 100000
# Each run gets a fresh throw-away database (ns_import_bench, copied from a migrated template
# of the code's schema, or a SQLite file in /tmp). ROUNDS=2 alternates each pair twice;
# DBS="postgresql" leaves SQLite out.
HERE=$(cd "$(dirname "$0")/.." && pwd)
BEFORE=${BEFORE:-/work/main}
PY=${PY:-$HERE/.venv/bin/python}
export NORTHSTAR_VAR_DIR=${NORTHSTAR_VAR_DIR:-/tmp/ns_bench_import_var}
mkdir -p "$NORTHSTAR_VAR_DIR"
export BENCH_DB_NAME=${BENCH_DB_NAME:-ns_import_bench}
for n in "$@"; do
  for db in ${DBS:-postgresql sqlite}; do
    for round in $(seq "${ROUNDS:-1}"); do
    for code in "$HERE" "$BEFORE"; do
      echo "== $(date -u +%H:%M:%S) n=$n db=$db round=$round code=$code load=$(cut -d' ' -f1-3 /proc/loadavg)"
      if [ $db = sqlite ]; then
        BENCH_CODE=$code BENCH_SQLITE=/tmp/ns_bench_import.sqlite3 $PY "$HERE/bench/import_rate.py" "$n" 2>&1 | tail -3
      else
        BENCH_CODE=$code $PY "$HERE/bench/import_rate.py" "$n" 2>&1 | tail -3
      fi
    done
    done
  done
done
