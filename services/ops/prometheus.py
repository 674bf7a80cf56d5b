"""The operator's figures in Prometheus' text format, for a scraper with an operator's token.

One collector reads one `Snapshot` per scrape, so Prometheus and the page
never disagree; nothing is counted in process memory (the API runs several
processes, and the database already knows).
"""
from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .metrics import Snapshot

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class SnapshotCollector(Collector):
    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap

    def collect(self) -> Iterator[Metric]:
        s = self.snap
        files = GaugeMetricFamily("dossier_files", "Uploaded files by processing state", labels=["state"])
        for state, n in s.files.items():
            files.add_metric([state], n)
        yield files
        yield GaugeMetricFamily("dossier_files_oldest_waiting_seconds",
                                "Age of the oldest file not yet done or failed (0 when none)",
                                value=s.oldest_waiting_s or 0.0)
        last = s.finished_per_hour[-1] if s.finished_per_hour else {"done": 0, "failed": 0}
        hour = GaugeMetricFamily("dossier_files_finished_this_hour", "Files finished in the current hour",
                                 labels=["state"])
        hour.add_metric(["done"], last["done"])
        hour.add_metric(["failed"], last["failed"])
        yield hour
        took = GaugeMetricFamily("dossier_file_seconds", "Seconds from upload to result over the last 24 h",
                                 labels=["method", "quantile"])
        for method, t in s.seconds_by_method.items():
            took.add_metric([method, "0.5"], t["median"])
            took.add_metric([method, "0.95"], t["p95"])
        yield took
        yield GaugeMetricFamily("dossier_outbox_pending", "Messages not yet handed to the broker",
                                value=s.outbox["pending"])
        yield GaugeMetricFamily("dossier_outbox_oldest_seconds", "Age of the oldest unsent message",
                                value=s.outbox["oldest_s"] or 0.0)
        yield GaugeMetricFamily("dossier_outbox_failing", "Unsent messages the broker refused at least once",
                                value=s.outbox["failing"])
        if s.broker_age_s is not None:      # not asked yet (just started): neither up nor down
            yield GaugeMetricFamily("dossier_broker_up", "1 when the broker answered its last ask",
                                    value=0 if s.broker_error else 1)
            yield GaugeMetricFamily("dossier_broker_figures_age_seconds", "Age of the broker's figures",
                                    value=s.broker_age_s)
        depth = GaugeMetricFamily("dossier_queue_messages", "Messages waiting in a Celery queue", labels=["queue"])
        consumers = GaugeMetricFamily("dossier_queue_consumers", "Workers consuming a Celery queue",
                                      labels=["queue"])
        for q in s.queues:
            if q.messages is not None:
                depth.add_metric([q.name], q.messages)
            if q.consumers is not None:
                consumers.add_metric([q.name], q.consumers)
        yield depth
        yield consumers
        if s.workers is not None:
            yield GaugeMetricFamily("dossier_workers", "Celery workers that answered a ping", value=len(s.workers))
        tasks = GaugeMetricFamily("dossier_review_tasks", "Reviewer tasks by stage, department and state",
                                  labels=["campaign", "stage", "department", "state"])
        for r in s.review:
            for state in ("open", "claimed", "overdue", "lapsed"):
                tasks.add_metric([r["campaign_id"], r["stage_id"], r["department"], state], r[state])
        yield tasks
        contests = GaugeMetricFamily("dossier_finding_contests",
                                     "Findings a unit marked 识别有误, by code and the reviewer's verdict",
                                     labels=["code", "outcome"])
        findings = GaugeMetricFamily("dossier_findings", "Findings on record, by code (of the codes contested)",
                                     labels=["code"])
        for c in s.contests:
            findings.add_metric([c["code"]], c["findings"])
            for outcome in ("confirmed", "upheld", "pending"):
                contests.add_metric([c["code"], outcome], c[outcome])
        yield findings
        yield contests


def exposition(snap: Snapshot) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snap))
    return generate_latest(registry)
