"""The fields each custom resource of deploy/k8s must have, as JSON Schemas.

kubernetes-validate knows only Kubernetes' own kinds, so the operators' kinds are checked
here: the fields their CustomResourceDefinitions (or the operators' API types) mark required,
the types and enums of the fields APEX sets, and the constraints an operator would reject at
admission. Written from these operator versions' API types; a kind that appears in the
rendered manifests without a schema here fails the tests, so a new kind cannot slip by.

- KEDA 2.x (keda.sh/v1alpha1): ScaledObject, TriggerAuthentication
- RabbitMQ Cluster Operator 2.x and Messaging Topology Operator 1.x (rabbitmq.com/v1beta1):
  RabbitmqCluster, User, Permission
- CloudNativePG 1.2x (postgresql.cnpg.io/v1): Cluster
- OT-Container-Kit redis-operator 0.2x (redis.redis.opstreelabs.in/v1beta2): RedisReplication,
  RedisSentinel
- Prometheus Operator 0.8x (monitoring.coreos.com/v1): PodMonitor
"""

from typing import Any

Schema = dict[str, Any]

NAME = {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}
QUANTITY = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$"}
RESOURCES = {
    "type": "object",
    "properties": {
        "requests": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
        "limits": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
    },
}
LOCAL_REF = {"type": "object", "required": ["name"], "properties": {"name": NAME}}


def resource(spec: Schema) -> Schema:
    """A namespaced custom resource with a name and this spec."""
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "metadata": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": NAME, "namespace": NAME},
            },
            "spec": spec,
        },
    }


RABBITMQ_TRIGGER = {
    "type": "object",
    "required": ["type", "metadata", "authenticationRef"],
    "properties": {
        "type": {"const": "rabbitmq"},
        "name": {"type": "string"},
        "metadata": {
            "type": "object",
            # KEDA's metadata is a map of strings: `value: 50` (a number) is rejected.
            "additionalProperties": {"type": "string"},
            "required": ["queueName", "mode", "value"],
            "properties": {
                "protocol": {"enum": ["amqp", "http", "auto"]},
                "mode": {"enum": ["QueueLength", "MessageRate"]},
                "value": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
                "queueName": {"type": "string", "minLength": 1},
            },
            # The broker's address comes from the TriggerAuthentication, not in clear text.
            "not": {"anyOf": [{"required": ["host"]}]},
        },
        "authenticationRef": LOCAL_REF,
    },
}

SCALED_OBJECT = resource(
    {
        "type": "object",
        "required": ["scaleTargetRef", "triggers"],
        "properties": {
            "scaleTargetRef": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "apiVersion": {"const": "apps/v1"},
                    "kind": {"const": "Deployment"},
                    "name": NAME,
                },
            },
            "minReplicaCount": {"type": "integer", "minimum": 0},
            "maxReplicaCount": {"type": "integer", "minimum": 1},
            "pollingInterval": {"type": "integer", "minimum": 1},
            "cooldownPeriod": {"type": "integer", "minimum": 0},
            "triggers": {"type": "array", "minItems": 1, "items": RABBITMQ_TRIGGER},
        },
    }
)

TRIGGER_AUTHENTICATION = resource(
    {
        "type": "object",
        "required": ["secretTargetRef"],
        "properties": {
            "secretTargetRef": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["parameter", "name", "key"],
                    "properties": {
                        "parameter": {"type": "string"},
                        "name": NAME,
                        "key": {"type": "string"},
                    },
                },
            }
        },
    }
)

RABBITMQ_CLUSTER = resource(
    {
        "type": "object",
        "required": ["replicas"],
        "properties": {
            "replicas": {"type": "integer", "minimum": 0},
            "image": {"type": "string"},
            "persistence": {"type": "object", "properties": {"storage": QUANTITY}},
            "resources": RESOURCES,
            "rabbitmq": {
                "type": "object",
                "properties": {
                    "additionalPlugins": {
                        "type": "array",
                        "maxItems": 100,
                        "items": {"type": "string", "pattern": r"^\w+$", "maxLength": 100},
                    },
                    "additionalConfig": {"type": "string", "maxLength": 2000},
                },
            },
        },
    }
)

RABBITMQ_USER = resource(
    {
        "type": "object",
        "required": ["rabbitmqClusterReference"],
        "properties": {
            "rabbitmqClusterReference": LOCAL_REF,
            "importCredentialsSecret": LOCAL_REF,
            "tags": {
                "type": "array",
                "items": {"enum": ["management", "policymaker", "monitoring", "administrator"]},
            },
        },
    }
)

RABBITMQ_PERMISSION = resource(
    {
        "type": "object",
        "required": ["vhost", "permissions", "rabbitmqClusterReference"],
        # "must provide user or userReference"
        "oneOf": [{"required": ["user"]}, {"required": ["userReference"]}],
        "properties": {
            "vhost": {"type": "string", "minLength": 1},
            "user": {"type": "string"},
            "userReference": LOCAL_REF,
            "permissions": {
                "type": "object",
                "properties": {
                    "configure": {"type": "string"},
                    "write": {"type": "string"},
                    "read": {"type": "string"},
                },
            },
            "rabbitmqClusterReference": LOCAL_REF,
        },
    }
)

CNPG_CLUSTER = resource(
    {
        "type": "object",
        "required": ["instances", "storage"],
        "properties": {
            "instances": {"type": "integer", "minimum": 1},
            "imageName": {"type": "string"},
            "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
            "storage": {"type": "object", "required": ["size"], "properties": {"size": QUANTITY}},
            "bootstrap": {
                "type": "object",
                "properties": {
                    "initdb": {
                        "type": "object",
                        "required": ["database", "owner", "secret"],
                        "properties": {
                            "database": {"type": "string"},
                            "owner": {"type": "string"},
                            "secret": LOCAL_REF,
                        },
                    }
                },
            },
            "managed": {
                "type": "object",
                "properties": {
                    "roles": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": {"type": "string"},
                                "ensure": {"enum": ["present", "absent"]},
                                "login": {"type": "boolean"},
                                "createrole": {"type": "boolean"},
                                "superuser": {"type": "boolean"},
                                "passwordSecret": LOCAL_REF,
                            },
                        },
                    }
                },
            },
            "postgresql": {
                "type": "object",
                "properties": {
                    "parameters": {"type": "object", "additionalProperties": {"type": "string"}}
                },
            },
            "resources": RESOURCES,
        },
    }
)

REDIS_KUBERNETES_CONFIG = {
    "type": "object",
    "required": ["image"],
    "properties": {
        "image": {"type": "string", "minLength": 1},
        "imagePullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
        "resources": RESOURCES,
        "redisSecret": {
            "type": "object",
            "required": ["name", "key"],
            "properties": {"name": NAME, "key": {"type": "string"}},
        },
    },
}

REDIS_REPLICATION = resource(
    {
        "type": "object",
        "required": ["clusterSize", "kubernetesConfig"],
        "properties": {
            "clusterSize": {"type": "integer", "minimum": 1},
            "kubernetesConfig": REDIS_KUBERNETES_CONFIG,
            "redisConfig": {
                "type": "object",
                "properties": {"additionalRedisConfig": {"type": "string"}},
            },
            "storage": {
                "type": "object",
                "required": ["volumeClaimTemplate"],
                "properties": {
                    "volumeClaimTemplate": {
                        "type": "object",
                        "required": ["spec"],
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["accessModes", "resources"],
                            }
                        },
                    }
                },
            },
        },
    }
)

REDIS_SENTINEL = resource(
    {
        "type": "object",
        "required": ["clusterSize", "kubernetesConfig", "redisSentinelConfig"],
        "properties": {
            "clusterSize": {"type": "integer", "minimum": 1},
            "kubernetesConfig": REDIS_KUBERNETES_CONFIG,
            "redisSentinelConfig": {
                "type": "object",
                "required": ["redisReplicationName"],
                "properties": {
                    "redisReplicationName": NAME,
                    "quorum": {"type": "string", "pattern": "^[0-9]+$"},
                    "masterGroupName": {"type": "string"},
                },
            },
        },
    }
)

# Prometheus Operator's Duration: Go-style units, largest first
DURATION = {
    "type": "string",
    "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?"
    r"(([0-9]+)ms)?)$",
}
LABEL_SELECTOR = {
    "type": "object",
    "properties": {
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        "matchExpressions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "operator"],
                "properties": {
                    "key": {"type": "string"},
                    "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                    "values": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
POD_MONITOR = resource(
    {
        "type": "object",
        "required": ["selector"],
        "properties": {
            "jobLabel": {"type": "string"},
            "selector": LABEL_SELECTOR,
            "podMetricsEndpoints": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["port"],  # APEX names its ports; targetPort is deprecated
                    "properties": {
                        "port": {"type": "string", "minLength": 1},
                        "path": {"type": "string", "pattern": "^/"},
                        "scheme": {"enum": ["http", "https", "HTTP", "HTTPS"]},
                        "interval": DURATION,
                        "scrapeTimeout": DURATION,
                    },
                },
            },
        },
    }
)

SCHEMAS: dict[tuple[str, str], Schema] = {
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
    ("keda.sh/v1alpha1", "TriggerAuthentication"): TRIGGER_AUTHENTICATION,
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): RABBITMQ_CLUSTER,
    ("rabbitmq.com/v1beta1", "User"): RABBITMQ_USER,
    ("rabbitmq.com/v1beta1", "Permission"): RABBITMQ_PERMISSION,
    ("postgresql.cnpg.io/v1", "Cluster"): CNPG_CLUSTER,
    ("redis.redis.opstreelabs.in/v1beta2", "RedisReplication"): REDIS_REPLICATION,
    ("redis.redis.opstreelabs.in/v1beta2", "RedisSentinel"): REDIS_SENTINEL,
    ("monitoring.coreos.com/v1", "PodMonitor"): POD_MONITOR,
}
