"""Annotate a literature-scale corpus on Dask, partition by partition.

``plan`` cuts the inputs into partitions on the client, ``worker`` annotates one partition on
a worker, ``run`` drives the job and ``report`` holds what it writes; the command line part is
:mod:`innkit.cli.dask`.

The corpus (JSON Lines or Parquet files with a text and an id column) is cut into partitions:
byte ranges of JSONL files, groups of row groups of Parquet files. Each partition is one task;
the task reads its own slice of the input, annotates every document with the worker process's
cached :class:`~innkit.annotator.core.Annotator` (built once, never per document) and writes one
Parquet file of mentions. Input and output paths must therefore be visible, at the same path,
to the client and to every worker (a local disk for a LocalCluster, a shared filesystem for a
real cluster).

A partition that raises is resubmitted up to ``retries`` times; one that still fails is listed
in the report, and the output folder says so: ``_innkit_report.json`` has ``"complete": false``
and the ``_SUCCESS`` marker is absent. The report is written, marked incomplete, before the first
task runs, so an interrupted run never looks finished.
"""

from .plan import Partition, Settings
from .report import (
           COLUMNS,
           REPORT_NAME,
           SUCCESS_NAME,
           CorpusReport,
           PartitionProblem,
           part_name,
           read_report,
)
from .run import INSTALL_HINT, annotate_corpus

__all__ = ["COLUMNS", "INSTALL_HINT", "REPORT_NAME", "SUCCESS_NAME", "CorpusReport",
           "Partition", "PartitionProblem", "Settings", "annotate_corpus", "part_name",
           "read_report"]
