"""Documents as the centroids of their chunk vectors: made at build time, ranked per question.

The retriever lifts a chunk whose document as a whole is about the question
(qa.retrieval); both backends store these centroids and rank them the same way.
"""

from __future__ import annotations

import numpy as np


def document_centroids(doc_ids: list[str], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each chunk's document row, and each document as the normalized mean of its chunk vectors.

    Computed at build time, where the vectors are in memory anyway, so a
    serving process never has to read every vector to rank documents.
    """
    _, chunk_documents = np.unique(np.asarray(doc_ids, dtype=object), return_inverse=True)
    chunk_documents = chunk_documents.astype(np.int32)
    count = int(chunk_documents.max()) + 1 if len(chunk_documents) else 0
    centroids = np.zeros((count, vectors.shape[1]), dtype=np.float32)
    np.add.at(centroids, chunk_documents, vectors)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return chunk_documents, centroids


def document_ranks(centroids: np.ndarray, chunk_documents, ids: list[int], vector: np.ndarray) -> dict[int, int]:
    """For each chunk id: the 1-based rank of its document among all documents, by centroid similarity.

    `chunk_documents` gives each chunk id its document's row (an array over all
    chunks, or a mapping of the ids asked about).
    """
    doc_rank = np.empty(len(centroids), dtype=np.int64)
    doc_rank[np.argsort(-(centroids @ vector), kind="stable")] = np.arange(1, len(centroids) + 1)
    return {int(i): int(doc_rank[chunk_documents[i]]) for i in ids}
