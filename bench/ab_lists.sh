#!/usr/bin/env bash
# A/B of the API lists under load (h-lists, issue 13): the floor, then each list URL on a
# "before" checkout and an "after" checkout served side by side (gunicorn -w 2 each, same
# database copy), alternated, two rounds; ratios of the floor measured in the same round.
#   bench/ab_lists.sh BEFORE_DIR AFTER_DIR DB [DUR]
# DB is a writable copy of a bench population (audit entries are written by every read).
# Needs NORTHSTAR_VAR_DIR (the population's key ring). Prints one line per measurement.
set -eu
before=$1; after=$2; db=$3; dur=${4:-5s}
floor_dir=$(cd "$(dirname "$0")/../../shared/bench/floor" 2>/dev/null && pwd || echo /work/shared/bench/floor)
pg=postgresql://postgres@127.0.0.1:5432
export DJANGO_SETTINGS_MODULE=bench.scale_settings DB_CONN_MAX_AGE=60 DATABASE_URL=$pg/$db
token=$(cd "$after" && .venv/bin/python manage.py shell -c "
from django.contrib.auth import get_user_model
from northstar.core.tokens import issue_token
print(issue_token(get_user_model().objects.get(username='caseworker.th'), name='ab-lists', days=1)[1])" 2>/dev/null | tail -1)
psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='ns_lists_floor'" | grep -q 1 \
  || { psql -h 127.0.0.1 -U postgres -qc "create database ns_lists_floor";
       (cd "$floor_dir" && FLOOR_DB=ns_lists_floor env -u DJANGO_SETTINGS_MODULE "$after/.venv/bin/python" floorapp.py seed 100000 >/dev/null); }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
(cd "$floor_dir" && FLOOR_DB=ns_lists_floor exec env -u DJANGO_SETTINGS_MODULE "$after/.venv/bin/gunicorn" floorapp:application -w 2 -b 127.0.0.1:8861 --log-level warning) & pids+=($!)
(cd "$before" && PYTHONPATH=$before exec .venv/bin/gunicorn northstar.wsgi:application -w 2 -b 127.0.0.1:8862 --log-level warning) & pids+=($!)
(cd "$after" && PYTHONPATH=$after exec .venv/bin/gunicorn northstar.wsgi:application -w 2 -b 127.0.0.1:8863 --log-level warning) & pids+=($!)
for url in http://127.0.0.1:8861/records http://127.0.0.1:8862/api/v1/me http://127.0.0.1:8863/api/v1/me; do
  for _ in $(seq 100); do curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url" && break; sleep 0.3; done
done
n=$(psql -h 127.0.0.1 -U postgres -d "$db" -Atc "select count(*) from survivors_survivor where organisation_id=(select organisation_id from core_membership m join auth_user u on u.id=m.user_id where u.username='caseworker.th') and archived_at is null")
deep=$(( n / 50 * 95 / 100 )); [ "$deep" -ge 1 ] || deep=1
rps() { wrk -t2 -c50 -d"$dur" "$@" | awk '/Requests\/sec/ {print $2}'; }
for round in 1 2; do
  floor=$(rps http://127.0.0.1:8861/records)
  echo "round $round $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) floor $floor req/s ($db, $n survivors)"
  for path in "/api/v1/survivors?page_size=50" "/api/v1/survivors?page_size=50&page=$deep" "/api/v1/cases?page_size=50"; do
    for side in before:8862 after:8863; do
      got=$(rps -H "Authorization: Bearer $token" "http://127.0.0.1:${side#*:}$path")
      python3 -c "print(f'  {\"${side%%:*}\":6} {\"$path\":45} {float($got):7.1f} req/s  ratio {float($got)/float($floor):.3f}')"
    done
  done
done
