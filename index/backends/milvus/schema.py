"""The three collections of one index version, and how their vector fields are indexed.

* `<name>_<version>`: one row per chunk -- id (= the local backend's row), the
  dense vector, the sparse BM25 vector, its hubness (index.neighbours), the
  text and every citation field. The alias `<name>` points at the current one.
* `<name>_<version>_docs`: one row per document -- its row (by id), id,
  title, kind, hash and number of chunks.
* `<name>_<version>_meta`: blobs in base64 pieces -- the manifest, the
  lexical settings, the compound lexicon, the vocabulary's document
  frequencies and the chunks' neighbour scores (for updates); its manifest is
  written last and marks the version complete.
"""

from __future__ import annotations

from pymilvus import DataType, MilvusClient

from ...vectors import hnsw, ivf
from ...vectors.ivf import IVFIndex
from .client import MilvusOptions

TEXT = 65535  # bytes, Milvus' largest VARCHAR
CHUNK_FIELDS = ("doc_id", "title", "heading", "paragraph", "text", "span_start", "span_end",
                "line_start", "line_end", "page", "page_end", "kind", "context", "ocr")
DOCUMENT_FIELDS = ("row", "doc_id", "title", "kind", "sha256", "chunks")


def chunks_schema(dimension: int):
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("hubness", DataType.FLOAT)  # its mean score with its nearest others (index.neighbours)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("title", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("heading", DataType.VARCHAR, max_length=TEXT, nullable=True)
    schema.add_field("paragraph", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=TEXT)
    for name in ("span_start", "span_end", "line_start", "line_end"):
        schema.add_field(name, DataType.INT64)
    schema.add_field("page", DataType.INT64, nullable=True)
    schema.add_field("page_end", DataType.INT64, nullable=True)
    schema.add_field("kind", DataType.VARCHAR, max_length=32)
    schema.add_field("context", DataType.VARCHAR, max_length=TEXT, nullable=True)
    schema.add_field("ocr", DataType.BOOL)
    return schema


def documents_schema():
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    # Milvus wants a vector field in every collection; this one carries nothing.
    schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("title", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("kind", DataType.VARCHAR, max_length=64)
    schema.add_field("sha256", DataType.VARCHAR, max_length=64)
    schema.add_field("chunks", DataType.INT64)
    return schema


def meta_schema():
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, max_length=256, is_primary=True)
    schema.add_field("name", DataType.VARCHAR, max_length=128)
    schema.add_field("part", DataType.INT64)
    schema.add_field("data", DataType.VARCHAR, max_length=TEXT)
    # Milvus wants a vector field in every collection; this one carries nothing.
    schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)
    return schema


def dense_index(options: MilvusOptions, n: int) -> tuple[str, dict, dict]:
    """(index type, build params, search params), chosen like the local backend's vector index."""
    kind = options.vector_index
    if kind == "auto":
        kind = "flat" if n < options.ann_threshold else "ivf"
    if kind == "ivf":
        nlist = IVFIndex.build_params(n, {})["nlist"]
        return "IVF_SQ8", {"nlist": nlist}, {"nprobe": options.nprobe or ivf.DEFAULT_NPROBE}
    if kind == "hnsw":
        return ("HNSW", {"M": hnsw.DEFAULT_M, "efConstruction": hnsw.DEFAULT_EF_CONSTRUCTION},
                {"ef": options.ef_search or hnsw.DEFAULT_EF_SEARCH})
    return "FLAT", {}, {}


def chunk_index_params(client, options: MilvusOptions, n: int):
    kind, build, _ = dense_index(options, n)
    params = client.prepare_index_params()
    params.add_index("dense", index_type=kind, metric_type="IP", params=build)
    # Exact inner product over the stored BM25 weights: the same scores as the local index.
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    return params


def unused_index_params(client):
    """The index of the documents' and the meta collection's placeholder vector field."""
    params = client.prepare_index_params()
    params.add_index("unused", index_type="FLAT", metric_type="L2")
    return params
