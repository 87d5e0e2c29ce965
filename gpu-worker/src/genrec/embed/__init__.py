"""Item text (``text``: cleaning and the RPG / DiffGRM templates) and sentence embeddings
(``encoder``: packaged sentence-transformers models, L2-normalised float32, disk cache).

Importing this package is light; torch and sentence-transformers load on first use.
"""

from genrec.embed.encoder import (
    DEFAULT_CACHE_DIR,
    DEFAULT_MODEL,
    KNOWN_MODELS,
    Embeddings,
    UnknownModelError,
    cache_path,
    canonical_model,
    embed_cached,
    embed_texts,
    embedding_dim,
    load_encoder,
)
from genrec.embed.text import (
    TEMPLATE_STYLES,
    TEXT_SOURCES,
    ItemFields,
    TemplateStyle,
    TextSource,
    clean_text,
    field_values,
    item_text,
    parse_text_source,
    source_text,
    text_source_label,
)

__all__ = [
    "DEFAULT_CACHE_DIR",
    "DEFAULT_MODEL",
    "KNOWN_MODELS",
    "TEMPLATE_STYLES",
    "TEXT_SOURCES",
    "Embeddings",
    "ItemFields",
    "TemplateStyle",
    "TextSource",
    "UnknownModelError",
    "cache_path",
    "canonical_model",
    "clean_text",
    "embed_cached",
    "embed_texts",
    "embedding_dim",
    "field_values",
    "item_text",
    "load_encoder",
    "parse_text_source",
    "source_text",
    "text_source_label",
]
