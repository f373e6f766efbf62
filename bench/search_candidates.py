"""``make bench-search``: compare search engine candidates for catalog search on the real catalog.

Both candidates get the same 32,951 documents (title, English and Portuguese category names,
department, cheapest offer price, sellers' states) and answer the same queries: full text with
and without accents and in both languages, with facets (category, seller state, price range),
plus a filtered query (category and price range). Printed per candidate: index build time,
index size, and p50/p95 query latency. Nothing is asserted; the figures go to docs/catalog.md.

- SQLite FTS5 (the standard library's sqlite3; tokenizer unicode61 with remove_diacritics 2;
  prefix queries; facets as GROUP BY over the matching rows)
- tantivy (tantivy-py; lower-case + ASCII-folding analyzer, each query word as a prefix
  (regex) query; facets with its aggregations)
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
import unicodedata
from pathlib import Path

import tantivy

from catalog import domain

SEED = Path(__file__).resolve().parents[1] / "infra" / "seed" / "olist"
QUERIES = [
    "perfume",
    "perfumaria",
    "perfumária",
    "relógios",
    "watches",
    "cama mesa banho",
    "informática",
    "computers",
    "beleza saude",
    "brinquedos toys",
    "garden",
    "ferramentas",
]
PRICE_BUCKETS = [(0, 5000), (5000, 10000), (10000, 20000), (20000, 50000), (50000, 10**9)]
RUNS = 30


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def documents() -> list[dict]:
    sellers = {r["seller_id"]: r["seller_state"] for r in _read("sellers.csv")}
    prices: dict[str, int] = {}
    states: dict[str, set[str]] = {}
    for row in _read("offers.csv"):
        offer = domain.parse_offer(row)
        pid = offer["product_id"]
        prices[pid] = min(prices.get(pid, 10**12), offer["price"])
        states.setdefault(pid, set()).add(sellers.get(offer["seller_id"], "??"))
    docs = []
    for row in _read("products.csv"):
        fields = domain.parse_product(row)
        category = domain.BY_SLUG[fields["category"]]
        source = row["product_category_name"].replace("_", " ")
        text = " ".join(
            [fields["title"], category.name, source, domain.DEPARTMENTS[category.department]]
        )
        docs.append(
            {
                "id": fields["product_id"],
                "title": fields["title"],
                "text": text,
                "category": category.slug,
                "price": prices.get(fields["product_id"], 0),
                "states": sorted(states.get(fields["product_id"], [])),
            }
        )
    return docs


def _read(name: str) -> list[dict]:
    with open(SEED / name, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _size(path: Path) -> int:
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        if path.is_dir()
        else path.stat().st_size
    )


def _timed(run) -> tuple[float, float]:
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


# --- SQLite FTS5 ----------------------------------------------------------------------------
def build_fts(docs: list[dict], path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, category TEXT,
                          price INTEGER);
        CREATE TABLE doc_states(rowid INTEGER, state TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
        CREATE INDEX docs_category_price ON docs(category, price);
    """)
    with db:
        for n, doc in enumerate(docs, start=1):
            db.execute(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
                (n, doc["id"], doc["title"], doc["category"], doc["price"]),
            )
            db.executemany("INSERT INTO doc_states VALUES (?, ?)", [(n, s) for s in doc["states"]])
            db.execute("INSERT INTO fts(rowid, text) VALUES (?, ?)", (n, doc["text"]))
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.commit()
    return db


def search_fts(db: sqlite3.Connection, query: str) -> dict:
    match = " ".join(f'"{token}"*' for token in fold(query).lower().split())
    hits = "SELECT rowid FROM fts WHERE fts MATCH ?"
    top = db.execute(
        "SELECT d.id, d.title FROM fts JOIN docs d ON d.rowid = fts.rowid "
        "WHERE fts MATCH ? ORDER BY rank LIMIT 20",
        (match,),
    ).fetchall()
    total = db.execute(f"SELECT count(*) FROM ({hits})", (match,)).fetchone()[0]
    categories = db.execute(
        f"SELECT category, count(*) FROM docs WHERE rowid IN ({hits}) GROUP BY category", (match,)
    ).fetchall()
    states = db.execute(
        f"SELECT state, count(*) FROM doc_states WHERE rowid IN ({hits}) GROUP BY state", (match,)
    ).fetchall()
    cases = " ".join(
        f"WHEN price >= {lo} AND price < {hi} THEN {i}" for i, (lo, hi) in enumerate(PRICE_BUCKETS)
    )
    prices = db.execute(
        f"SELECT CASE {cases} END AS b, count(*) FROM docs WHERE rowid IN ({hits}) GROUP BY b",
        (match,),
    ).fetchall()
    return {
        "total": total,
        "top": top,
        "categories": dict(categories),
        "states": dict(states),
        "prices": dict(prices),
    }


def filter_fts(db: sqlite3.Connection) -> int:
    return db.execute(
        "SELECT count(*) FROM docs WHERE category = ? AND price BETWEEN ? AND ?",
        ("perfumery", 2000, 10000),
    ).fetchone()[0]


# --- tantivy --------------------------------------------------------------------------------
def build_tantivy(docs: list[dict], path: Path) -> tantivy.Index:
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True)
    builder.add_text_field("text", tokenizer_name="folded")
    builder.add_text_field("category", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("state", tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("price", fast=True, indexed=True)
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(builder.build(), path=str(path))
    index.register_tokenizer("folded", analyzer)
    writer = index.writer(heap_size=100_000_000, num_threads=1)
    for doc in docs:
        document = tantivy.Document(
            id=doc["id"], title=doc["title"], text=doc["text"], category=doc["category"]
        )
        for state in doc["states"] or ["??"]:
            document.add_text("state", state)
        document.add_unsigned("price", doc["price"])
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


def search_tantivy(index: tantivy.Index, query: str) -> dict:
    searcher = index.searcher()
    tokens = fold(query).lower().split()
    parsed = tantivy.Query.boolean_query(  # each word as a prefix, like FTS5's "word"*
        [
            (tantivy.Occur.Must, tantivy.Query.regex_query(index.schema, "text", f"{token}.*"))
            for token in tokens
        ]
    )
    result = searcher.search(parsed, 20, count=True)
    top = [
        (searcher.doc(address)["id"][0], searcher.doc(address)["title"][0])
        for _, address in result.hits
    ]
    aggregations = searcher.aggregate(
        parsed,
        {
            "categories": {"terms": {"field": "category", "size": 100}},
            "states": {"terms": {"field": "state", "size": 30}},
            "prices": {
                "range": {
                    "field": "price",
                    "ranges": [{"from": lo, "to": hi} for lo, hi in PRICE_BUCKETS],
                }
            },
        },
    )
    return {"total": result.count, "top": top, "aggregations": aggregations}


def filter_tantivy(index: tantivy.Index) -> int:
    query = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, "category", "perfumery")),
            (
                tantivy.Occur.Must,
                tantivy.Query.range_query(
                    index.schema, "price", tantivy.FieldType.Unsigned, 2000, 10000
                ),
            ),
        ]
    )
    return index.searcher().search(query, 1, count=True).count


def main() -> None:
    docs = documents()
    work = Path(tempfile.mkdtemp(prefix="titan-search-"))
    try:
        print(f"\nSearch candidates on the Olist catalog ({len(docs)} products)\n")
        began = time.perf_counter()
        fts = build_fts(docs, work / "catalog.sqlite")
        fts_build = time.perf_counter() - began
        began = time.perf_counter()
        index = build_tantivy(docs, work / "tantivy")
        tantivy_build = time.perf_counter() - began
        rows = [
            (
                "SQLite FTS5",
                fts_build,
                _size(work / "catalog.sqlite"),
                lambda q: search_fts(fts, q),
                lambda: filter_fts(fts),
            ),
            (
                "tantivy",
                tantivy_build,
                _size(work / "tantivy"),
                lambda q: search_tantivy(index, q),
                lambda: filter_tantivy(index),
            ),
        ]
        for name, build, size, search, filtered in rows:
            latencies = [_timed(lambda q=q, search=search: search(q)) for q in QUERIES]
            p50 = statistics.median(p for p, _ in latencies)
            p95 = max(p for _, p in latencies)
            f50, f95 = _timed(filtered)
            print(
                f"  {name:<12} build {build:6.2f} s   size {size / 1e6:6.1f} MB   "
                f"text+facets p50 {p50:6.2f} ms  p95 {p95:6.2f} ms   "
                f"filter p50 {f50:5.2f} ms  p95 {f95:5.2f} ms"
            )
        print("\n  hits per query (FTS5 / tantivy):")
        for query in QUERIES:
            print(
                f"    {query!r:<20} {search_fts(fts, query)['total']:>6} / "
                f"{search_tantivy(index, query)['total']:>6}"
            )
        sample = search_tantivy(index, "perfume")["aggregations"]
        print(
            "\n  tantivy facets for 'perfume':",
            json.dumps({k: v.get("buckets", [])[:3] for k, v in sample.items()})[:300],
        )
        print("  filtered (perfumery, R$ 20-100):", filter_fts(fts), "/", filter_tantivy(index))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
