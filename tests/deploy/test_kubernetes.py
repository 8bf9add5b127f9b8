"""deploy/k8s: both overlays render, validate, and match the code they deploy."""

import copy
from urllib.parse import urlsplit

import pytest

from apex_audit.tables import WRITER_ROLE

from .crd_schemas import SCHEMAS
from .model import (
    ANY_ADDRESS,
    EXIT_BOUND_S,
    GATEWAY,
    IMAGE_NAME,
    IMAGE_TAG,
    IMAGE_USER,
    K8S,
    KUBERNETES_VERSION,
    OVERLAYS,
    Doc,
    credential_names,
    documented_names,
    environment,
    library,
    of_kind,
    one,
    pod_labels,
    pod_spec,
    render,
    render_warnings,
    secrets,
    selects,
    services,
    setting_names,
    settings_from,
    url_port,
    workloads,
)

MONITORING_NAMESPACE = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
}
kubernetes_validate = library("kubernetes_validate", "kubernetes-validate")
jsonschema = library("jsonschema", "jsonschema")

pytestmark = pytest.mark.parametrize("overlay", OVERLAYS)


def is_core(doc: Doc) -> bool:
    """Kubernetes' own kinds (core, apps, batch, ..., *.k8s.io); the rest are custom resources."""
    group = str(doc["apiVersion"]).rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def service_env(overlay: str) -> dict[str, str]:
    """The APEX_* environment every APEX pod of this overlay gets (they all get the same)."""
    docs = render(overlay)
    envs = {name: environment(docs, w) for name, w in workloads(docs).items()}
    first = next(iter(envs.values()))
    differing = [name for name, env in envs.items() if env != first]
    assert not differing, f"{differing} get another environment than the other pods"
    return first


def test_overlay_renders_without_warnings(overlay: str) -> None:
    docs = render(overlay)
    assert docs, f"overlay {overlay} renders nothing"
    assert not render_warnings(overlay).strip(), render_warnings(overlay)
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(names) == len(set(names)), "an object is rendered twice"
    (namespace,) = of_kind(docs, "Namespace")
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {namespace}


def test_core_objects_validate_against_the_kubernetes_api(overlay: str) -> None:
    problems = []
    for doc in render(overlay):
        if not is_core(doc):
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            problems.append(f"{doc['kind']} {doc['metadata']['name']}: {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            problems.append(exc.message)
    assert not problems, "\n".join(problems)


def test_custom_resources_have_their_required_fields(overlay: str) -> None:
    problems = []
    for doc in render(overlay):
        if is_core(doc):
            continue
        schema = SCHEMAS.get((doc["apiVersion"], doc["kind"]))
        if schema is None:
            problems.append(f"{doc['apiVersion']} {doc['kind']}: no schema in crd_schemas.py")
            continue
        for error in jsonschema.Draft202012Validator(schema).iter_errors(doc):
            path = ".".join(str(p) for p in error.absolute_path)
            problems.append(f"{doc['kind']} {doc['metadata']['name']}: {path}: {error.message}")
    assert not problems, "\n".join(problems)


def test_every_setting_is_in_the_configmap_or_the_secret(overlay: str) -> None:
    known = setting_names()
    in_config_env = documented_names(K8S / "base" / "config.env")
    in_secrets_env = documented_names(K8S / "base" / "secrets.env")
    both = in_config_env & in_secrets_env
    assert not both, f"named in config.env and secrets.env: {sorted(both)}"
    missing = known - in_config_env - in_secrets_env
    assert not missing, f"settings deploy/k8s/base/*.env do not name: {sorted(missing)}"
    credentials = in_config_env & credential_names()
    assert not credentials, f"credentials in config.env: {sorted(credentials)}"

    docs = render(overlay)
    container = pod_spec(one(docs, "Deployment", GATEWAY))["containers"][0]
    sources = {next(iter(s)): next(iter(s.values()))["name"] for s in container["envFrom"]}
    in_config = set(one(docs, "ConfigMap", sources["configMapRef"])["data"])
    in_secret = set(secrets(docs)[sources["secretRef"]])
    assert not (in_config & in_secret), f"set in both: {sorted(in_config & in_secret)}"
    unknown = {n for n in in_config | in_secret if n.startswith("APEX_")} - known
    assert not unknown, f"not settings of the code: {sorted(unknown)}"
    assert not in_config & credential_names(), "credentials in the ConfigMap"
    config_values = one(docs, "ConfigMap", sources["configMapRef"])["data"]
    with_login = [n for n, v in config_values.items() if "://" in v and urlsplit(v).username]
    assert not with_login, f"URLs with a login in the ConfigMap: {with_login}"

    for name, workload in workloads(docs).items():
        container = pod_spec(workload)["containers"][0]
        refs = {next(iter(s)) for s in container.get("envFrom", [])}
        assert refs == {"configMapRef", "secretRef"}, f"{name} does not take both whole"
        apex_env = [e["name"] for e in container.get("env", []) if e["name"].startswith("APEX_")]
        assert not apex_env, f"{name} sets {apex_env} itself: set them in config.env or secrets"
    # And the values are ones the code accepts (types, ranges), pods listening on every address.
    settings = settings_from(service_env(overlay))
    assert settings.gateway_host in ANY_ADDRESS and settings.side_host in ANY_ADDRESS


def test_every_consumed_queue_has_a_scaled_object(overlay: str) -> None:
    docs = render(overlay)
    scaled = {
        so["spec"]["scaleTargetRef"]["name"]: so for so in of_kind(docs, "ScaledObject").values()
    }
    auths = of_kind(docs, "TriggerAuthentication")
    for service in services(service_env(overlay)):
        scaled_object = scaled.pop(service.name, None)
        if not service.queues:
            assert scaled_object is None, f"{service.name} consumes no queue but has a ScaledObject"
            continue
        assert scaled_object, f"{service.name} consumes {sorted(service.queues)}: no ScaledObject"
        triggers = scaled_object["spec"]["triggers"]
        named = {t["metadata"]["queueName"] for t in triggers if t["type"] == "rabbitmq"}
        missing, extra = service.queues - named, named - service.queues
        assert not missing, f"{service.name} consumes {sorted(missing)}: no trigger in keda.yaml"
        assert not extra, (
            f"keda.yaml scales {service.name} on {sorted(extra)}, which it does not consume"
        )
        for trigger in triggers:
            auth = auths[trigger["authenticationRef"]["name"]]
            ref = auth["spec"]["secretTargetRef"][0]
            assert (ref["parameter"], ref["key"]) == ("host", "APEX_AMQP_URL")
            assert ref["key"] in secrets(docs)[ref["name"]]
    assert not scaled, f"ScaledObjects for no service: {sorted(scaled)}"


def test_probes_are_on_the_port_the_service_listens_on(overlay: str) -> None:
    docs = render(overlay)
    settings = settings_from(service_env(overlay))
    deployments = of_kind(docs, "Deployment")
    for service in services(service_env(overlay)):
        deployment = deployments.pop(service.name, None)
        assert deployment, f"no Deployment for {service.name}"
        (container,) = pod_spec(deployment)["containers"]
        assert container["command"] == ["python", "-m", service.module]
        named = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe, path in (
            ("startupProbe", "/health"),
            ("livenessProbe", "/health"),
            ("readinessProbe", "/ready"),
        ):
            get = container[probe]["httpGet"]
            port = named.get(get["port"], get["port"])
            assert (get["path"], port) == (path, service.port), f"{service.name} {probe}: {get}"
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert int(annotations["prometheus.io/port"]) == service.port
        stop = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        grace = pod_spec(deployment)["terminationGracePeriodSeconds"]
        assert grace > stop + settings.shutdown_grace_s + EXIT_BOUND_S, f"{service.name}: {grace} s"
    assert not deployments, f"Deployments of no service: {sorted(deployments)}"
    gateway = one(docs, "Service", GATEWAY)
    assert gateway["spec"]["selector"] == {"app.kubernetes.io/name": GATEWAY}
    port = gateway["spec"]["ports"][0]
    assert port["targetPort"] == "http" and port["port"] == settings.gateway_port


def test_the_pod_monitor_scrapes_every_process_on_its_metrics_port(overlay: str) -> None:
    docs = render(overlay)
    (monitor,) = of_kind(docs, "PodMonitor").values()
    spec = monitor["spec"]
    endpoints = {e["port"]: e for e in spec["podMetricsEndpoints"]}
    assert all(e["path"] == "/metrics" for e in endpoints.values())
    deployments = of_kind(docs, "Deployment")
    for service in services(service_env(overlay)):
        deployment = deployments[service.name]
        labels = pod_labels(deployment)
        assert spec["jobLabel"] in labels and labels[spec["jobLabel"]] == service.name
        assert selects({"matchLabels": spec["selector"]["matchLabels"]}, labels)
        for expression in spec["selector"].get("matchExpressions", []):
            assert (
                expression["operator"] == "In" and labels[expression["key"]] in expression["values"]
            ), f"the PodMonitor does not select {service.name}"
        (container,) = pod_spec(deployment)["containers"]
        scraped = [p for p in container["ports"] if p["name"] in endpoints]
        assert [p["containerPort"] for p in scraped] == [service.port], service.name
    migrate = next(w for w in workloads(docs).values() if w["kind"] == "Job")
    component = pod_labels(migrate).get("app.kubernetes.io/component")
    assert all(component not in e["values"] for e in spec["selector"]["matchExpressions"])


def test_pods_run_restricted_with_a_read_only_root(overlay: str) -> None:
    for name, workload in workloads(render(overlay)).items():
        spec = pod_spec(workload)
        assert spec["automountServiceAccountToken"] is False, name
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == IMAGE_USER, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert not {"hostNetwork", "hostPID", "hostIPC"} & set(spec), name
        assert all("hostPath" not in v for v in spec.get("volumes", [])), name
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["capabilities"] == {"drop": ["ALL"]}, name
            assert not sc.get("privileged", False), name
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) >= {"cpu", "memory"}, f"{name} {kind}"
            assert container["image"].rsplit("/", 1)[-1] == f"{IMAGE_NAME}:{IMAGE_TAG}", name


def test_migration_job_runs_apex_db_migrate(overlay: str) -> None:
    jobs = of_kind(render(overlay), "Job")
    commands = [pod_spec(j)["containers"][0]["command"] for j in jobs.values()]
    assert commands == [["apex", "db", "migrate"]]
    (job,) = jobs.values()
    assert pod_spec(job)["restartPolicy"] in ("Never", "OnFailure")


def test_autoscaling_and_disruption_budgets(overlay: str) -> None:
    docs = render(overlay)
    deployments = of_kind(docs, "Deployment")
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    scaled = {
        so["spec"]["scaleTargetRef"]["name"]: so for so in of_kind(docs, "ScaledObject").values()
    }
    hpa = hpas[GATEWAY]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": GATEWAY,
    }
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    autoscaled = {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()} | set(scaled)
    least = 2 if overlay == "prod" else 1
    for name, deployment in deployments.items():
        if name in autoscaled:  # the autoscaler owns the count; an apply must not reset it
            assert "replicas" not in deployment["spec"], f"{name} is autoscaled: no replicas"
        else:
            assert deployment["spec"]["replicas"] >= least, name
    assert hpa["spec"]["minReplicas"] >= least
    assert all(so["spec"]["minReplicaCount"] >= least for so in scaled.values())
    budgets = of_kind(docs, "PodDisruptionBudget").values()
    for name, deployment in deployments.items():
        covering = [b for b in budgets if selects(b["spec"]["selector"], pod_labels(deployment))]
        assert len(covering) == 1, f"{name}: {len(covering)} PodDisruptionBudgets"


def test_network_policies_admit_only_what_the_services_need(overlay: str) -> None:
    docs = render(overlay)
    env = service_env(overlay)
    settings = settings_from(env)
    policies = of_kind(docs, "NetworkPolicy").values()
    pods = {name: pod_labels(w) for name, w in workloads(docs).items()}

    deny = [p for p in policies if set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}]
    assert (
        len(deny) == 1 and not deny[0]["spec"].get("ingress") and not deny[0]["spec"].get("egress")
    )
    assert all(selects(deny[0]["spec"]["podSelector"], labels) for labels in pods.values())

    side_ports = {s.port for s in services(service_env(overlay)) if s.name != GATEWAY}
    for policy in policies:
        if not policy["spec"].get("ingress"):
            continue
        selected = {
            n for n, labels in pods.items() if selects(policy["spec"]["podSelector"], labels)
        }
        ports = {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}
        sources = [peer for rule in policy["spec"]["ingress"] for peer in rule.get("from", [])]
        if sources and all(peer == MONITORING_NAMESPACE for peer in sources):
            # Prometheus, to the services' side ports only (the gateway's port is open anyway)
            assert selected == {s.name for s in services(service_env(overlay))} - {GATEWAY}
            assert ports == side_ports
            continue
        assert selected == {GATEWAY}, f"{policy['metadata']['name']} lets traffic into {selected}"
        assert ports == {settings.gateway_port}

    rabbitmq = next(iter(of_kind(docs, "RabbitmqCluster")))
    database = next(iter(of_kind(docs, "Cluster")))
    redis = next(iter(of_kind(docs, "RedisReplication")))
    otlp = urlsplit(settings.otlp_endpoint or "")
    expected = {
        ("dns", 53),
        # Pods of each operator carry these labels.
        (f"app.kubernetes.io/name={rabbitmq}", url_port(settings.amqp_url, 5672)),
        (f"cnpg.io/cluster={database}", url_port(settings.database_url, 5432)),
        (f"app={redis}", url_port(settings.redis_url, 6379)),
        (f"namespace={(otlp.hostname or '').split('.')[1]}", otlp.port),
        # notification-service: the SMTP relay, and webhook receivers at public addresses
        ("smtp", settings.smtp_port),
        ("public", 443),
        ("public", 80),
    }
    allowed = set()
    for policy in policies:
        targets = {
            n for n, labels in pods.items() if selects(policy["spec"]["podSelector"], labels)
        }
        for rule in policy["spec"].get("egress", []):
            (peer,) = rule["to"]
            if "ipBlock" in peer:
                destination = "public" if peer["ipBlock"].get("except") else "smtp"
                assert targets == {"notification-service"}, f"only notification-service: {targets}"
            elif peer.get("namespaceSelector", {}).get("matchLabels") == {
                "kubernetes.io/metadata.name": "kube-system"
            }:
                destination = "dns"
            elif "namespaceSelector" in peer:
                destination = (
                    "namespace="
                    + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                )
            else:
                ((key, value),) = peer["podSelector"]["matchLabels"].items()
                destination = f"{key}={value}"
            allowed |= {(destination, p["port"]) for p in rule["ports"]}
    assert allowed == expected, (
        f"allowed but not needed: {allowed - expected}; needed: {expected - allowed}"
    )


def test_connection_urls_name_the_infrastructure(overlay: str) -> None:
    docs = render(overlay)
    settings = settings_from(service_env(overlay))
    creds = secrets(docs)

    (rabbitmq,) = of_kind(docs, "RabbitmqCluster")
    amqp = urlsplit(settings.amqp_url)
    ((_, user),) = of_kind(docs, "User").items()
    ((_, permission),) = of_kind(docs, "Permission").items()
    user_secret = creds[user["spec"]["importCredentialsSecret"]["name"]]
    assert amqp.hostname == rabbitmq == user["spec"]["rabbitmqClusterReference"]["name"]
    assert (amqp.username, amqp.password) == (user_secret["username"], user_secret["password"])
    assert permission["spec"]["userReference"]["name"] == user["metadata"]["name"]
    assert permission["spec"]["vhost"] == (amqp.path[1:] or "/")

    ((database, pg),) = of_kind(docs, "Cluster").items()
    db = urlsplit(settings.database_url)
    initdb = pg["spec"]["bootstrap"]["initdb"]
    owner = creds[initdb["secret"]["name"]]
    assert db.hostname == f"{database}-rw", "the -rw service follows the primary"
    assert db.path[1:] == initdb["database"]
    assert db.username == initdb["owner"] == owner["username"] and db.password == owner["password"]
    roles = {r["name"]: r for r in pg["spec"]["managed"]["roles"]}
    assert roles[initdb["owner"]]["createrole"] is True, "the migration creates the writer role"
    writer = urlsplit(settings.audit_database_url or "")
    assert writer.username == WRITER_ROLE and writer.hostname == db.hostname
    writer_secret = creds[roles[WRITER_ROLE]["passwordSecret"]["name"]]
    assert (writer_secret["username"], writer_secret["password"]) == (WRITER_ROLE, writer.password)

    ((redis, replication),) = of_kind(docs, "RedisReplication").items()
    url = urlsplit(settings.redis_url)
    ref = replication["spec"]["kubernetesConfig"]["redisSecret"]
    assert url.hostname == f"{redis}-master", "the -master service follows the master"
    assert url.password == creds[ref["name"]][ref["key"]]


def test_infrastructure_is_replicated_and_persistent(overlay: str) -> None:
    docs = render(overlay)
    ((_, rabbitmq),) = of_kind(docs, "RabbitmqCluster").items()
    ((_, database),) = of_kind(docs, "Cluster").items()
    ((redis, replication),) = of_kind(docs, "RedisReplication").items()
    ((_, sentinel),) = of_kind(docs, "RedisSentinel").items()
    replicas = rabbitmq["spec"]["replicas"]
    assert replicas % 2 == 1, "quorum queues need an odd number of RabbitMQ nodes"
    if overlay == "prod":
        assert replicas == 3 and database["spec"]["instances"] >= 2
        assert sentinel["spec"]["clusterSize"] >= 3
    assert replication["spec"]["clusterSize"] >= 2, "Redis keeps a replica"
    assert replication["spec"]["storage"]["volumeClaimTemplate"]["spec"]["resources"]["requests"][
        "storage"
    ]
    config = one(docs, "ConfigMap", replication["spec"]["redisConfig"]["additionalRedisConfig"])
    assert "appendonly yes" in config["data"]["redis-additional.conf"].splitlines()
    assert sentinel["spec"]["redisSentinelConfig"]["redisReplicationName"] == redis


def test_production_carries_no_credentials(overlay: str) -> None:
    kinds = {d["kind"] for d in render(overlay)}
    if overlay == "prod":
        assert "Secret" not in kinds, "production's Secrets come from its secret store"
    else:
        assert "Secret" in kinds


def test_the_validators_reject_a_broken_manifest(overlay: str) -> None:
    """The checks above would catch a typo: a validator that accepts anything proves nothing."""
    docs = render(overlay)
    deployment = copy.deepcopy(next(iter(of_kind(docs, "Deployment").values())))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    scaled = copy.deepcopy(next(iter(of_kind(docs, "ScaledObject").values())))
    scaled["spec"]["triggers"][0]["metadata"]["value"] = 50
    del scaled["spec"]["scaleTargetRef"]
    schema = SCHEMAS[(scaled["apiVersion"], scaled["kind"])]
    assert len(list(jsonschema.Draft202012Validator(schema).iter_errors(scaled))) == 2
