"""What the Meilisearch adapter sends and reads: index settings, documents, filters, search bodies and hits."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from tbms_core.jp.text import VARIANT_FOLDING, digits_only

from search.engine.base import FACETS, DateRange, SearchDocument, SearchHit, SearchQuery, SearchResult
from search.engine.terms import QueryTerms, birth_tokens, fold

PRIMARY_KEY = "uid"
MAX_TOTAL_HITS = 1000  # Meilisearch counts no further: a total this large is "at least" (「1,000件以上」)
PRE, POST = "<mark>", "</mark>"
MARKED = re.compile(re.escape(PRE) + "(.*?)" + re.escape(POST))
SHOWN = ["record_type", "id", "area", "name", "name_kana", "birth_date", "registration_no", "status", "excluded_on"]
HIGHLIGHTED = ["name_key", "kana_key"]  # folded: where the words match; the marks are carried onto the shown names
EXTRA_SHOWN = ["index_patient", "dots_type_label", "dots_intensity", "dots_due_on"]  # sent only when a record has them
HIT_FIELDS = [*SHOWN, "sex", "district", *EXTRA_SHOWN, *HIGHLIGHTED]
FILTERABLE = [
    "area",
    "record_type",
    "status",
    "district",
    "nurse",
    "sex",
    "active",
    "birth_year",
    "birth_day",
    "registered_day",
    "diagnosed_day",
    "dots_type",
    "dots_intensity",
    "dots_due_day",
]
DAYS = (  # YYYYMMDD
    ("birth_day", "birth"),
    ("registered_day", "registered"),
    ("diagnosed_day", "diagnosed"),
    ("dots_due_day", "dots_due"),
)


def index_settings() -> dict[str, Any]:
    """Searchable and filterable fields, Japanese tokenisation, 異体字 synonyms, facets and the count ceiling."""
    return {
        "searchableAttributes": [
            "name_key",
            "kana_key",
            "name",
            "name_kana",
            "registration_no",
            "keys",
            "address_key",
            "text_keys",
        ],
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": ["kana_key"],
        # active records before excluded ones, then Meilisearch's relevance (exact before prefix before typo)
        "rankingRules": ["active:desc", "words", "typo", "proximity", "attribute", "sort", "exactness"],
        # kanji-only names would otherwise be read as Chinese (meilisearch#3565): every text field is Japanese
        "localizedAttributes": [
            {
                "locales": ["jpn"],
                "attributePatterns": ["name", "name_kana", "name_key", "kana_key", "address_key", "text_keys"],
            }
        ],
        "synonyms": variant_synonyms(),
        "typoTolerance": {"disableOnAttributes": ["registration_no", "keys"]},
        "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
    }


def variant_synonyms() -> dict[str, list[str]]:
    """Each 異体字 and its common form as mutual synonyms (髙 ↔ 高), for raw names Meilisearch tokenises."""
    synonyms: dict[str, list[str]] = {}
    for variant, common in VARIANT_FOLDING.items():
        synonyms.setdefault(variant, []).append(common)
        synonyms.setdefault(common, []).append(variant)
    return synonyms


def to_meili(document: SearchDocument) -> dict[str, Any]:
    """The JSON document Meilisearch stores: display fields, filter fields and folded keys."""
    birth = document.birth_date
    keys = [fold(document.registration_no), digits_only(document.phone), digits_only(document.postal_code)]
    keys += [digits_only(number) or fold(number) for number in document.numbers]
    keys += [fold(number) for number in document.index_numbers]
    texts = [*document.texts, document.dots_type_label]
    return _extras(document) | {
        PRIMARY_KEY: f"{document.record_type}-{document.id}",
        **document.hit_fields(),
        "version": document.version,
        "active": int(document.active),
        "district": document.district,
        "nurse": document.nurse,
        "sex": document.sex,
        "birth_year": birth.year if birth else None,
        "birth_day": _day(birth),
        "registered_day": _day(document.registered_on),
        "diagnosed_day": _day(document.diagnosed_on),
        "name_key": fold(document.name),
        "kana_key": fold(document.name_kana),
        "keys": [key for key in dict.fromkeys([*keys, *birth_tokens(birth)]) if key],
        "address_key": fold(document.address),
        "text_keys": [key for key in dict.fromkeys(fold(text) for text in texts) if key],
    }


def _extras(document: SearchDocument) -> dict[str, Any]:
    """A contact's index patient and a patient's DOTS state, only when the record has them."""
    values = {
        "index_patient": document.index_patient,
        "dots_type": document.dots_type,
        "dots_type_label": document.dots_type_label,
        "dots_intensity": document.dots_intensity,
        "dots_due_on": document.dots_due_on.isoformat() if document.dots_due_on else None,
        "dots_due_day": _day(document.dots_due_on),
    }
    return {name: value for name, value in values.items() if value}


def filter_expression(query: SearchQuery, terms: QueryTerms) -> str:
    """Readable areas (always), the advanced search's conditions, and the query's birth years and dates."""
    filters = query.filters
    kinds = filters.record_types or ((query.record_type,) if query.record_type else ())
    clauses = [f"area IN [{_list(query.areas)}]"]
    for attribute, values in (
        ("record_type", kinds),
        ("status", filters.statuses),
        ("district", filters.districts),
        ("nurse", filters.nurses),
        ("sex", filters.sexes),
        ("dots_type", filters.dots_types),
        ("dots_intensity", filters.dots_intensities),
    ):
        if values:
            clauses.append(f"{attribute} IN [{_list(values)}]")
    for attribute, name in DAYS:
        clauses += _range(attribute, getattr(filters, name))
    clauses += [f"birth_year = {year}" for year in terms.birth_years]
    clauses += [f"birth_day = {_day(day)}" for day in terms.birth_dates]
    return " AND ".join(clauses)


def search_body(query: SearchQuery, terms: QueryTerms) -> dict[str, Any]:
    """The body of POST /indexes/{uid}/search for a query."""
    body: dict[str, Any] = {
        "q": " ".join(terms.words),
        "filter": filter_expression(query, terms),
        "limit": query.limit,
        "offset": query.offset,
        "locales": ["jpn"],
        "attributesToRetrieve": HIT_FIELDS,
        "attributesToHighlight": HIGHLIGHTED,
        "highlightPreTag": PRE,
        "highlightPostTag": POST,
    }
    if query.facets:
        body["facets"] = list(FACETS)
    return body


def read_result(found: dict[str, Any]) -> SearchResult:
    """Hits with the folded parts Meilisearch marked, the total (a lower bound at the ceiling) and facet counts."""
    hits = [read_hit(hit) for hit in found["hits"]]
    exact = "totalHits" in found
    total = int(found["totalHits"] if exact else found.get("estimatedTotalHits", 0))
    distribution = found.get("facetDistribution") or {}
    facets = {
        name: {value: int(count) for value, count in distribution[name].items() if value}
        for name in FACETS
        if name in distribution
    }
    return SearchResult(hits, total, facets, total_is_lower_bound=not exact and total >= MAX_TOTAL_HITS)


def read_hit(hit: dict[str, Any]) -> SearchHit:
    """A hit, with the words Meilisearch matched (typos and synonyms included) as marks for the shown names."""
    formatted = hit.get("_formatted") or {}
    marks = [mark for field in HIGHLIGHTED for mark in MARKED.findall(str(formatted.get(field) or "")) if mark]
    return SearchHit.from_fields(hit, marks=tuple(dict.fromkeys(marks)))


def _range(attribute: str, bounds: DateRange) -> list[str]:
    clauses = [f"{attribute} >= {_day(bounds.start)}"] if bounds.start else []
    return clauses + ([f"{attribute} <= {_day(bounds.end)}"] if bounds.end else [])


def _list(values: Any) -> str:
    return ", ".join(json.dumps(value, ensure_ascii=False) for value in values)


def _day(value: date | None) -> int | None:
    """A date as the number Meilisearch compares (YYYYMMDD): its filters order numbers, not strings."""
    return value.year * 10000 + value.month * 100 + value.day if value else None
