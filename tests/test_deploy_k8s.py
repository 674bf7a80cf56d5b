"""The Kubernetes manifests (deploy/k8s): rendered, schema-checked, and complete per queue.

No cluster runs here.  Each overlay is rendered by a small strategic-merge renderer below
(resources, namespace, images, patches by kind and name: the subset of kustomize the overlays
use) and, where `kubectl` is on PATH, compared with `kubectl kustomize`'s own output.  Every
built-in object is validated offline against the Kubernetes OpenAPI schemas
(kubernetes-validate, strict: an unknown field fails); KEDA's objects, which those schemas do
not hold, against the fields KEDA documents for v1alpha1.
"""
from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from dossier.settings import Settings
from tests.edges import REPO

K8S = REPO / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
K8S_VERSION = "1.32"
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}


# ---- a tiny kustomize: enough for our overlays, checked against the real one below ----

def _merge(base: Any, patch: Any) -> Any:
    """Strategic merge as kustomize does it for our objects: maps merge, lists of named maps
    (containers, ports, volumes, env) merge by name, other lists are replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = _merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if (isinstance(base, list) and isinstance(patch, list) and patch
            and all(isinstance(x, dict) and "name" in x for x in base + patch)):
        out = [copy.deepcopy(x) for x in base]
        index = {x["name"]: i for i, x in enumerate(out)}
        for item in patch:
            if item["name"] in index:
                out[index[item["name"]]] = _merge(out[index[item["name"]]], item)
            else:
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(patch)


def _load(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def _pod_specs(obj: dict) -> list[dict]:
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    return [spec["template"]["spec"]] if "template" in spec else []


def render(folder: Path) -> list[dict]:
    k = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    objs: list[dict] = []
    for res in k.get("resources", []):
        p = folder / res
        objs += render(p) if p.is_dir() else _load(p)
    for patch in k.get("patches", []):
        for doc in _load(folder / patch["path"]):
            key = (doc["kind"], doc["metadata"]["name"])
            hits = [i for i, o in enumerate(objs) if (o["kind"], o["metadata"]["name"]) == key]
            assert len(hits) == 1, f"patch {patch['path']} matches {len(hits)} objects for {key}"
            objs[hits[0]] = _merge(objs[hits[0]], doc)
    images = {i["name"]: i for i in k.get("images", [])}
    for obj in objs:
        for pod in _pod_specs(obj):
            for c in pod.get("containers", []) + pod.get("initContainers", []):
                if c["image"] in images:
                    i = images[c["image"]]
                    c["image"] = f"{i.get('newName', c['image'])}:{i['newTag']}"
        if "namespace" in k:
            obj["metadata"]["namespace"] = k["namespace"]
    return objs


def by_kind(objs: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> list[dict]:
    return render(K8S / "overlays" / request.param)


def _settings_queues() -> set[str]:
    s = Settings()
    return {s.queue_ingest, s.queue_extract, s.queue_ocr, s.queue_packets}


# ---- KEDA v1alpha1: the fields its docs list for the objects we write ----
_TRIGGER = {
    "type": "object", "additionalProperties": False, "required": ["type", "metadata"],
    "properties": {
        "type": {"const": "rabbitmq"}, "name": {"type": "string"},
        "metadata": {
            "type": "object", "additionalProperties": False,
            "required": ["queueName", "mode", "value"],
            "properties": {
                "protocol": {"enum": ["amqp", "http", "auto"]},
                "queueName": {"type": "string"}, "mode": {"enum": ["QueueLength", "MessageRate"]},
                "value": {"type": "string", "pattern": r"^\d+(\.\d+)?$"},
                "activationValue": {"type": "string", "pattern": r"^\d+(\.\d+)?$"},
                "vhostName": {"type": "string"}, "hostFromEnv": {"type": "string"},
                "unsafeSsl": {"type": "string"}}},
        "authenticationRef": {"type": "object", "additionalProperties": False,
                              "required": ["name"],
                              "properties": {"name": {"type": "string"},
                                             "kind": {"enum": ["TriggerAuthentication",
                                                               "ClusterTriggerAuthentication"]}}},
        "useCachedMetrics": {"type": "boolean"}, "metricType": {"enum": ["AverageValue", "Value"]}},
}
SCALED_OBJECT = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"}, "kind": {"const": "ScaledObject"},
        "spec": {
            "type": "object", "additionalProperties": False, "required": ["scaleTargetRef", "triggers"],
            "properties": {
                "scaleTargetRef": {"type": "object", "additionalProperties": False, "required": ["name"],
                                   "properties": {"name": {"type": "string"}, "kind": {"type": "string"},
                                                  "apiVersion": {"type": "string"},
                                                  "envSourceContainerName": {"type": "string"}}},
                "pollingInterval": {"type": "integer", "minimum": 1},
                "cooldownPeriod": {"type": "integer", "minimum": 0},
                "initialCooldownPeriod": {"type": "integer", "minimum": 0},
                "idleReplicaCount": {"type": "integer", "minimum": 0},
                "minReplicaCount": {"type": "integer", "minimum": 0},
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "fallback": {"type": "object"},
                "advanced": {"type": "object", "additionalProperties": False,
                             "properties": {"restoreToOriginalReplicaCount": {"type": "boolean"},
                                            "horizontalPodAutoscalerConfig": {"type": "object"},
                                            "scalingModifiers": {"type": "object"}}},
                "triggers": {"type": "array", "minItems": 1, "items": _TRIGGER}}}},
}
TRIGGER_AUTH = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"}, "kind": {"const": "TriggerAuthentication"},
        "spec": {"type": "object", "additionalProperties": False, "properties": {
            "secretTargetRef": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["parameter", "name", "key"],
                "properties": {"parameter": {"type": "string"}, "name": {"type": "string"},
                               "key": {"type": "string"}}}}}}},
}


class TestRender:
    def test_matches_kubectl_kustomize(self, rendered: list[dict], request: pytest.FixtureRequest) -> None:
        """Our renderer and kustomize agree object for object (skipped without kubectl)."""
        if shutil.which("kubectl") is None:
            pytest.skip("kubectl not installed: the pure-Python render is the one checked")
        overlay = request.node.callspec.params["rendered"]
        out = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        theirs = {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(out.stdout) if o}
        ours = {(o["kind"], o["metadata"]["name"]): o for o in rendered}
        assert set(theirs) == set(ours)
        for key, obj in ours.items():
            assert obj == theirs[key], key

    def test_overlays_differ_where_they_say(self) -> None:
        prod = render(K8S / "overlays" / "production")
        staging = render(K8S / "overlays" / "staging")
        assert by_kind(prod, "Deployment")["api"]["spec"]["replicas"] == 3
        assert by_kind(staging, "Deployment")["api"]["spec"]["replicas"] == 1
        assert {o["metadata"]["namespace"] for o in prod} == {"dossier"}
        api = by_kind(prod, "Deployment")["api"]["spec"]["template"]["spec"]["containers"][0]
        assert api["image"] == "registry.example.org/dossier/api:0.1.0"
        # the patch merged into the container instead of replacing it: probes are still there
        assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"


class TestSchemas:
    def test_every_builtin_object_validates_strictly(self, rendered: list[dict]) -> None:
        checked = 0
        for obj in rendered:
            if obj["kind"] in KEDA_KINDS:
                continue
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
            checked += 1
        assert checked >= 15

    def test_a_misspelt_field_is_caught(self) -> None:
        """The validation above is not vacuous: strict mode refuses an unknown field."""
        obj = copy.deepcopy(by_kind(render(K8S / "base"), "Deployment")["api"])
        obj["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)

    def test_keda_objects_have_the_documented_fields(self, rendered: list[dict]) -> None:
        for obj in by_kind(rendered, "ScaledObject").values():
            jsonschema.validate(obj, SCALED_OBJECT)
        for obj in by_kind(rendered, "TriggerAuthentication").values():
            jsonschema.validate(obj, TRIGGER_AUTH)
        with pytest.raises(jsonschema.ValidationError):
            bad = copy.deepcopy(next(iter(by_kind(rendered, "ScaledObject").values())))
            bad["spec"]["triggers"][0]["metadata"]["queueLength"] = "5"   # removed in KEDA 2.x
            jsonschema.validate(bad, SCALED_OBJECT)


class TestLayout:
    def test_every_queue_has_a_worker_and_a_scaled_object(self, rendered: list[dict]) -> None:
        deployments = by_kind(rendered, "Deployment")
        scaled = by_kind(rendered, "ScaledObject")
        worker_queues = {}
        for name, d in deployments.items():
            cmd = d["spec"]["template"]["spec"]["containers"][0].get("command", [])
            if cmd[:2] == ["dossier", "worker"]:
                worker_queues[name] = cmd[cmd.index("--queues") + 1]
        assert sorted(worker_queues.values()) == sorted(_settings_queues())   # one each, no more
        for name, queue in worker_queues.items():
            so = next(s for s in scaled.values() if s["spec"]["scaleTargetRef"]["name"] == name)
            trig = so["spec"]["triggers"][0]
            assert trig["metadata"]["queueName"] == queue
            assert trig["metadata"]["mode"] == "QueueLength"
            assert trig["authenticationRef"]["name"] in by_kind(rendered, "TriggerAuthentication")
        assert scaled["worker-ocr"]["spec"]["minReplicaCount"] == 0

    def test_keda_reads_the_broker_url_the_workers_use(self, rendered: list[dict]) -> None:
        auth = by_kind(rendered, "TriggerAuthentication")["rabbitmq"]["spec"]["secretTargetRef"][0]
        secret = by_kind(rendered, "Secret")[auth["name"]]
        assert auth["parameter"] == "host"
        assert secret["stringData"][auth["key"]].startswith("amqp://")

    def test_every_process_has_probes_and_settings(self, rendered: list[dict]) -> None:
        for name, d in by_kind(rendered, "Deployment").items():
            c = d["spec"]["template"]["spec"]["containers"][0]
            assert "livenessProbe" in c and "readinessProbe" in c, name
            if name != "office":
                refs = {next(iter(e.values()))["name"] for e in c["envFrom"]}
                assert refs == {"dossier-config", "dossier-secrets"}, name
        workers = [d for n, d in by_kind(rendered, "Deployment").items() if n.startswith("worker-")]
        for d in workers:
            c = d["spec"]["template"]["spec"]["containers"][0]
            probe = " ".join(c["livenessProbe"]["exec"]["command"])
            # the worker writes its node name there (workers/task_metrics.py): the ping reaches this pod only
            assert 'inspect ping -d "$(cat /var/lib/dossier/worker.node)"' in probe
            assert any(m["mountPath"] == "/var/lib/dossier" for m in c["volumeMounts"])
        relay = by_kind(rendered, "Deployment")["relay"]["spec"]["template"]["spec"]["containers"][0]
        assert "relay.heartbeat" in " ".join(relay["livenessProbe"]["exec"]["command"])

    def test_grace_period_covers_the_task_time_limit(self, rendered: list[dict]) -> None:
        limit = int(by_kind(rendered, "ConfigMap")["dossier-config"]["data"]["DOSSIER_TASK_TIME_LIMIT"])
        for name, d in by_kind(rendered, "Deployment").items():
            if name.startswith("worker-"):
                assert d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > limit, name

    def test_budgets_autoscalers_and_singletons(self, rendered: list[dict]) -> None:
        deployments = by_kind(rendered, "Deployment")
        pdbs = by_kind(rendered, "PodDisruptionBudget")
        for name, d in deployments.items():
            sel = d["spec"]["selector"]["matchLabels"]
            assert any(p["spec"]["selector"]["matchLabels"] == sel for p in pdbs.values()), name
        hpa = by_kind(rendered, "HorizontalPodAutoscaler")["api"]["spec"]
        assert hpa["metrics"][0]["resource"]["name"] == "cpu" and hpa["minReplicas"] >= 1
        # the periodic jobs live in the relay's loop: exactly one relay, never two during a rollout
        relay = deployments["relay"]["spec"]
        assert relay["replicas"] == 1 and relay["strategy"]["type"] == "Recreate"
        assert "relay" not in {s["spec"]["scaleTargetRef"]["name"]
                               for s in by_kind(rendered, "ScaledObject").values()}

    def test_migrations_job_and_ingress(self, rendered: list[dict]) -> None:
        job = by_kind(rendered, "Job")["dossier-migrate"]
        assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["dossier", "migrate"]
        ing = by_kind(rendered, "Ingress")["dossier"]
        assert ing["spec"]["tls"] and ing["spec"]["tls"][0]["hosts"][0] == ing["spec"]["rules"][0]["host"]
        size = ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
        cfg = by_kind(rendered, "ConfigMap")["dossier-config"]["data"]
        assert int(size.rstrip("m")) * 1024 * 1024 == int(cfg["DOSSIER_MAX_UPLOAD_BYTES"])

    def test_production_settings_and_known_variables(self, rendered: list[dict]) -> None:
        cfg = by_kind(rendered, "ConfigMap")["dossier-config"]["data"]
        assert cfg["DOSSIER_ANONYMOUS_UPLOADS"] == "false" and cfg["DOSSIER_SECURE_COOKIES"] == "true"
        fields = {f"DOSSIER_{k.upper()}" for k in Settings.model_fields}
        secret = by_kind(rendered, "Secret")["dossier-secrets"]["stringData"]
        assert set(cfg) | set(secret) <= fields


def test_worker_metrics_are_served_where_prometheus_looks() -> None:
    """Each worker pod serves its processes' task metrics on the port its annotation names."""
    objs = render(K8S / "base")
    cfg = by_kind(objs, "ConfigMap")["dossier-config"]["data"]
    for name, d in by_kind(objs, "Deployment").items():
        if not name.startswith("worker-"):
            continue
        tpl = d["spec"]["template"]
        port = tpl["spec"]["containers"][0]["ports"][0]["containerPort"]
        assert tpl["metadata"]["annotations"]["prometheus.io/port"] == str(port) == cfg["DOSSIER_METRICS_PORT"]
        mounts = {m["mountPath"] for m in tpl["spec"]["containers"][0]["volumeMounts"]}
        assert any(cfg["DOSSIER_METRICS_DIR"].startswith(m) for m in mounts)   # writable, shared
