"""Documents in, index out: readers, paragraphs, chunks, embeddings, the store."""
