"""Find people by name without decrypting the organisation's records: keyed blind indexes.

Each survivor's names, aliases and phone become tokens (``name_tokens``); each token
is stored only as ``HMAC(index key, organisation id, kind, value)`` in ``NameToken``.
A search turns the query into the same digests and counts, in SQL, how many each
survivor shares (weighted: word > phonetic > trigram); only the best candidates
are then decrypted, by the caller, to show their names. See ``docs/search.md`` for
what the index leaks.

The index key is derived (HKDF-SHA256) from the primary field key with its own
label, so it is never the sealing key itself, and it rotates with the key ring:
``rotate_keys`` rebuilds the index, as does ``manage.py rebuild_name_index``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import connection, transaction
from django.db.models import Sum

from northstar.core.crypto import keyring
from northstar.core.fields import reveal
from northstar.survivors import name_tokens as nt
from northstar.survivors.models import NameToken, Survivor

INDEXED_FIELDS = ("given_name", "family_name", "aliases", "phone")
#: Candidates decrypted and shown for one search.
LIMIT = 30
#: A candidate must score at least this much: a word, a phone, a phonetic key, or
#: three shared trigrams; a query shorter than that needs less (see ``min_score``).
MIN_SCORE = 3
HKDF_INFO = b"northstar name search index v1"


@lru_cache(maxsize=8)
def _derive(kid: str, key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(key)


def index_key() -> tuple[str, bytes]:
    """(key id, index key) derived from the primary field key."""
    ring = keyring()
    kid, key = ring.keys[0]
    return kid, _derive(kid, key)


def digest(key: bytes, organisation_id: int, kind: str, value: str) -> str:
    message = f"{organisation_id}\x1f{kind}\x1f{value}".encode()
    full = hmac.digest(key, message, hashlib.sha256).hex()
    return full[:nt.TRIGRAM_BUCKET_HEX if kind == "tri" else nt.DIGEST_HEX]


def tokens_for_values(survivor: Survivor, values: dict[str, str],
                      key: tuple[str, bytes] | None = None) -> list[NameToken]:
    """Unsaved ``NameToken`` rows of one survivor from the plaintext of its indexed fields."""
    kid, raw = key or index_key()
    pairs = nt.record_tokens(**{f: values.get(f) or "" for f in INDEXED_FIELDS})
    seen: dict[str, NameToken] = {}
    for kind, value in pairs:
        d = digest(raw, survivor.organisation_id, kind, value)
        if d not in seen:  # two trigrams in one bucket count once
            seen[d] = NameToken(survivor_id=survivor.pk, organisation_id=survivor.organisation_id,
                                kind=kind, weight=nt.WEIGHTS[kind], digest=d, key_id=kid)
    return list(seen.values())


def token_rows(survivor_id: int, organisation_id: int, values: dict[str, str],
               key: tuple[str, bytes], cache: dict | None = None) -> list[tuple]:
    """The same tokens as ``tokens_for_values``, as plain tuples (``importer.TOKEN_COLUMNS``)
    for COPY. ``cache`` (one key ring) keeps each name's or phone's digests already computed
    for an organisation: in a register the same given and family names come back thousands
    of times, so most records cost a dictionary lookup per field."""
    kid, raw = key
    cache = {} if cache is None else cache
    seen: dict[str, tuple] = {}
    for field in INDEXED_FIELDS:
        text = values.get(field) or ""
        if not text:
            continue
        known = cache.get((organisation_id, field == "phone", text))
        if known is None:
            pairs = nt.phone_tokens(text) if field == "phone" else nt.name_tokens(text)
            known = cache[(organisation_id, field == "phone", text)] = tuple(
                (kind, nt.WEIGHTS[kind], digest(raw, organisation_id, kind, value))
                for kind, value in pairs)
        for kind, weight, d in known:
            if d not in seen:  # two trigrams in one bucket, or a word in two fields: once
                seen[d] = (survivor_id, organisation_id, kind, weight, d, kid)
    return list(seen.values())


#: The columns of ``token_rows``' tuples, in order.
TOKEN_COLUMNS = ("survivor_id", "organisation_id", "kind", "weight", "digest", "key_id")

_INSERT_TOKENS = (
    "INSERT INTO survivors_nametoken (survivor_id, organisation_id, kind, weight, digest, key_id) "
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::integer[], "
    "%s::varchar[], %s::varchar[])")


def insert_tokens(survivor_id: int, organisation_id: int, values: dict[str, str],
                  key: tuple[str, bytes] | None = None) -> int:
    """Write one survivor's tokens (those of ``tokens_for_values``, from ``token_rows``) in
    one statement, without building a model object per token: on PostgreSQL one INSERT of
    six arrays (a create's tokens cost it more CPU than everything else in the action when
    built through ``bulk_create``). Returns how many were written."""
    rows = token_rows(survivor_id, organisation_id, values, key or index_key())
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_INSERT_TOKENS, _array_literals(rows))
        else:
            cursor.executemany(
                "INSERT INTO survivors_nametoken (survivor_id, organisation_id, kind, weight, "
                "digest, key_id) VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return len(rows)


#: Elements needing no quoting in an array literal, joined by commas (none inside one).
_PLAIN_ELEMENTS = re.compile(r"[A-Za-z0-9_.:-]+(,[A-Za-z0-9_.:-]+)*")


def _array_literals(rows: list[tuple]) -> list:
    """The six columns as PostgreSQL array literals (``{1,2,3}``), cheaper to send than
    lists adapted element by element: ids, a kind, a weight, a hex digest and a key id need
    no quoting. A column holding anything else (never seen) is sent as a list."""
    columns = []
    for column in zip(*rows, strict=True):
        text = ",".join([str(v) for v in column])
        plain = _PLAIN_ELEMENTS.fullmatch(text) and text.count(",") == len(column) - 1
        columns.append("{" + text + "}" if plain else list(column))
    return columns


def plaintext_of(survivor: Survivor) -> dict[str, str]:
    """The indexed fields opened for indexing only (never shown: no audited read)."""
    return {f: reveal(getattr(survivor, f)) for f in INDEXED_FIELDS}


@transaction.atomic
def index_survivor(survivor: Survivor, values: dict[str, str] | None = None) -> int:
    """Replace the survivor's tokens; ``values`` are the plaintext fields when the caller has them."""
    NameToken.objects.filter(survivor_id=survivor.pk).delete()
    return insert_tokens(survivor.pk, survivor.organisation_id,
                         values if values is not None else plaintext_of(survivor))


def rebuild(survivors: Iterable[Survivor] | None = None, *, batch_size: int = 500,
            progress=None) -> int:
    """Rebuild the tokens of ``survivors`` (default: everyone), batch by batch. Returns rows."""
    key = index_key()
    qs = Survivor.objects.order_by("pk").only("pk", "organisation_id", *INDEXED_FIELDS)
    if survivors is not None:
        qs = qs.filter(pk__in=[getattr(s, "pk", s) for s in survivors])
    total = qs.count()
    written = done = 0
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last)[:batch_size])
        if not batch:
            break
        rows = []
        for s in batch:
            rows.extend(tokens_for_values(s, plaintext_of(s), key))
        with transaction.atomic():
            NameToken.objects.filter(survivor_id__in=[s.pk for s in batch]).delete()
            NameToken.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
        done += len(batch)
        last = batch[-1].pk
        if progress:
            progress(done, total)
    return written


def query_digests(organisation_id: int, query: str) -> dict[str, str]:
    """Digest -> kind of every token of ``query`` in this organisation's index."""
    _, raw = index_key()
    return {digest(raw, organisation_id, kind, value): kind
            for kind, value in nt.query_tokens(query)}


def min_score(digests: dict[str, str]) -> int:
    """Enough to matter, but never more than the query itself could score."""
    possible = sum(nt.WEIGHTS[k] for k in digests.values())
    return min(MIN_SCORE, possible)


#: How many survivors the strong tokens (word, phonetic key, phone) put forward for the
#: trigrams to re-rank: common names tie by the hundred, so the pool is wider than a page.
POOL = 200


def _ranked(organisation_id: int, digests: list[str], *, among=None, limit: int | None,
            min_score: int = 0) -> dict[int, int]:
    """Survivor id -> summed weight. Only columns of the search index are read (organisation,
    digest, and the included survivor and weight), so PostgreSQL can answer from the index."""
    rows = NameToken.objects.filter(organisation_id=organisation_id, digest__in=digests)
    if among is not None:
        rows = rows.filter(survivor_id__in=among)
    ranked = rows.values("survivor_id").annotate(score=Sum("weight"))
    if min_score:
        ranked = ranked.filter(score__gte=min_score)
    ranked = ranked.order_by("-score", "-survivor_id")
    return dict((ranked[:limit] if limit else ranked).values_list("survivor_id", "score"))


def candidates(organisation_id: int, query: str, *, within=None, limit: int = LIMIT,
               exclude: Iterable[int] = ()) -> list[tuple[int, int, dict[str, int]]]:
    """Best matches as (survivor id, score, tokens matched per kind), best first, in SQL.

    Two steps, so that a common name does not make the database add up every trigram of
    the organisation: the strong tokens (word, phonetic key, phone) rank a pool of
    ``POOL`` survivors, whose trigram matches are then added; only when the strong tokens
    find fewer than ``limit`` does a trigram-only ranking look further (a spelling no rule
    foresaw). ``within`` is a queryset of survivors the caller may see
    (``policy.visible_survivors``): only those are ever returned.
    """
    digests = query_digests(organisation_id, query)
    if not digests:
        return []
    strong = [d for d, kind in digests.items() if kind != "tri"]
    grams = [d for d, kind in digests.items() if kind == "tri"]
    scores: dict[int, int] = {}
    if strong:
        scores = _ranked(organisation_id, strong, limit=POOL)
        if grams and scores:
            for pk, extra in _ranked(organisation_id, grams, among=list(scores),
                                     limit=None).items():
                scores[pk] += extra
    if grams and len(scores) < limit:
        for pk, score in _ranked(organisation_id, grams, limit=POOL,
                                 min_score=MIN_SCORE).items():
            scores.setdefault(pk, score)
    floor, exclude = min_score(digests), set(exclude)
    pool = [pk for pk, score in scores.items() if score >= floor and pk not in exclude]
    if within is not None and pool:
        seen = set(within.filter(pk__in=pool).values_list("pk", flat=True))
        pool = [pk for pk in pool if pk in seen]
    pool = sorted(pool, key=lambda pk: (-scores[pk], -pk))[:limit]
    kinds: dict[int, dict[str, int]] = {pk: {"word": 0, "phon": 0, "phone": 0, "tri": 0}
                                        for pk in pool}
    if pool:  # what matched, for the reasons shown: a page of candidates, not the organisation
        for pk, kind in NameToken.objects.filter(
                organisation_id=organisation_id, digest__in=list(digests),
                survivor_id__in=pool).values_list("survivor_id", "kind"):
            kinds[pk][kind] += 1
    return [(pk, scores[pk], kinds[pk]) for pk in pool]


def query_phonetic_keys(query: str) -> set[str]:
    """The distinct phonetic keys of the names in ``query`` (how many name words it has)."""
    return {value for kind, value in nt.query_tokens(query) if kind == "phon"}
