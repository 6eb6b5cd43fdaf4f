"""The one reader of the environment: every setting, its default, parsed once and cached."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of every function and of the local server.

    Field names are the environment variable names (case-insensitive). The README's configuration
    table lists them; keep the two in step.
    """

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    profile: Literal["aws", "local"] = Field("aws", validation_alias=AliasChoices("AISRE_PROFILE"))
    stage: str = Field("dev", validation_alias=AliasChoices("AISRE_STAGE"))

    # AWS resources; the template (aws) or the local stack (local) sets them.
    aws_region: str = Field("us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    aws_endpoint_url: str | None = Field(None, validation_alias=AliasChoices("AWS_ENDPOINT_URL"))
    # botocore's own service-specific override; unset, DynamoDB goes to aws_endpoint_url like the rest.
    dynamodb_endpoint_url: str | None = Field(None, validation_alias=AliasChoices("AWS_ENDPOINT_URL_DYNAMODB"))
    # SigV4 on DynamoDB requests. The local stack turns it off for its own emulator, which ignores it.
    dynamodb_signing: bool = Field(True, validation_alias=AliasChoices("AISRE_DYNAMODB_SIGNING"))
    table_name: str = Field("aisre", validation_alias=AliasChoices("TABLE_NAME"))
    alert_topic_arn: str = Field("", validation_alias=AliasChoices("ALERT_TOPIC_ARN"))
    alert_queue_url: str = Field("", validation_alias=AliasChoices("ALERT_QUEUE_URL"))

    # Secrets: given directly (local), or named in Secrets Manager / SSM (aws, see adapters.secrets).
    api_keys: str = Field("", validation_alias=AliasChoices("AI_SRE_API_KEYS"))
    pagerduty_webhook_secret: str = Field("", validation_alias=AliasChoices("PAGERDUTY_WEBHOOK_SECRET"))
    grafana_webhook_secret: str = Field("", validation_alias=AliasChoices("GRAFANA_WEBHOOK_SECRET"))
    secrets_source: str = Field(
        "",
        validation_alias=AliasChoices("AISRE_SECRETS_SOURCE"),
        description="secretsmanager:<arn or name> or ssm:<parameter name>, a JSON object of the secrets",
    )

    # Alert handling.
    correlation_window_minutes: float = Field(10.0, ge=0, validation_alias=AliasChoices("CORRELATION_WINDOW_MINUTES"))
    deploy_lookback_minutes: int = Field(60, ge=1, validation_alias=AliasChoices("DEPLOY_LOOKBACK_MINUTES"))
    max_body_bytes: int = Field(1_048_576, ge=1024, validation_alias=AliasChoices("MAX_BODY_BYTES"))
    # More alerts in one payload answer 413 (and are dead-lettered): a storm arrives as many requests.
    max_alerts_per_payload: int = Field(1000, ge=1, validation_alias=AliasChoices("MAX_ALERTS_PER_PAYLOAD"))
    grafana_signature_max_age_seconds: int = Field(
        300, ge=1, validation_alias=AliasChoices("GRAFANA_SIGNATURE_MAX_AGE_SECONDS")
    )
    # CloudWatch alarms through an SNS HTTP(S) subscription to /webhook/cloudwatch.
    sns_verify_signatures: bool = Field(True, validation_alias=AliasChoices("SNS_VERIFY_SIGNATURES"))
    sns_confirm_subscriptions: bool = Field(True, validation_alias=AliasChoices("SNS_CONFIRM_SUBSCRIPTIONS"))
    dead_letter_retention_days: int = Field(30, ge=1, validation_alias=AliasChoices("DEAD_LETTER_RETENTION_DAYS"))
    deploy_retention_days: int = Field(30, ge=1, validation_alias=AliasChoices("DEPLOY_RETENTION_DAYS"))
    webhook_id_retention_days: int = Field(7, ge=1, validation_alias=AliasChoices("WEBHOOK_ID_RETENTION_DAYS"))
    # A signed PagerDuty v3 event older than this is a replay and is refused (422, dead-lettered). PagerDuty
    # retries a failing delivery for up to 48 hours (its webhook docs, "Temporary Errors and Retries"), and
    # deliveries queued behind it wait meanwhile: 72 hours leaves a day past its last retry.
    pagerduty_max_event_age_seconds: int = Field(
        72 * 3600, ge=60, validation_alias=AliasChoices("PAGERDUTY_MAX_EVENT_AGE_SECONDS")
    )

    # Investigations.
    auto_investigate: bool = Field(True, validation_alias=AliasChoices("AUTO_INVESTIGATE"))
    investigation_state_machine_arn: str = Field("", validation_alias=AliasChoices("INVESTIGATION_STATE_MACHINE_ARN"))
    # New incidents ask for their investigation here; the starter function takes them at its own pace.
    investigation_queue_url: str = Field("", validation_alias=AliasChoices("INVESTIGATION_QUEUE_URL"))
    # How long the starter holds its batch while the executions it started run: it is what bounds the
    # investigations in flight (the queue's consumers x their batch). Past it, executions go on unwatched.
    investigation_watch_seconds: float = Field(
        240.0, ge=0, le=840, validation_alias=AliasChoices("INVESTIGATION_WATCH_SECONDS")
    )
    diagnosis_wait_seconds: float = Field(20.0, ge=0, le=25, validation_alias=AliasChoices("DIAGNOSIS_WAIT_SECONDS"))
    policy_document: str = Field(
        "", validation_alias=AliasChoices("AISRE_POLICY"), description="the action policy as JSON; empty: defaults"
    )

    # Actions: carried out by the actions function alone, under its own Kubernetes identity. Locally the
    # cluster is KUBECONFIG's when ACTIONS_KUBECONFIG is not set (see remediation/providers.py).
    actions_kubeconfig: str = Field("", validation_alias=AliasChoices("ACTIONS_KUBECONFIG"))
    actions_kube_context: str = Field("", validation_alias=AliasChoices("ACTIONS_KUBE_CONTEXT"))
    # On AWS: the EKS cluster the actions function writes to through an access entry of its own role.
    actions_eks_cluster_name: str = Field("", validation_alias=AliasChoices("ACTIONS_EKS_CLUSTER_NAME"))
    # After a write, the target is re-read until healthy or this long has passed (`verified: false`).
    action_verify_seconds: float = Field(15.0, ge=0, le=25, validation_alias=AliasChoices("ACTION_VERIFY_SECONDS"))
    action_verify_interval_seconds: float = Field(
        1.0, gt=0, le=10, validation_alias=AliasChoices("ACTION_VERIFY_INTERVAL_SECONDS")
    )
    # The same approved request (same action, target and caller) within this long acts once; an
    # Idempotency-Key header names a request explicitly instead.
    action_idempotency_window_seconds: int = Field(
        600, ge=1, validation_alias=AliasChoices("ACTION_IDEMPOTENCY_WINDOW_SECONDS")
    )
    approval_expiry_seconds: int = Field(3600, ge=1, validation_alias=AliasChoices("APPROVAL_EXPIRY_SECONDS"))
    # Nobody approves their own request (between authenticated principals; dev mode has only one).
    approval_require_distinct: bool = Field(True, validation_alias=AliasChoices("APPROVAL_REQUIRE_DISTINCT"))
    approval_retention_days: int = Field(90, ge=1, validation_alias=AliasChoices("APPROVAL_RETENTION_DAYS"))
    # A request carries a runbook run on for at most this long before it answers (plus the step under way, whose
    # write may wait ACTION_VERIFY_SECONDS): inside API Gateway's 30 s. `resume` carries the rest on.
    runbook_advance_seconds: float = Field(10.0, ge=0, le=20, validation_alias=AliasChoices("RUNBOOK_ADVANCE_SECONDS"))

    # Autonomy (seed 001 /autonomy/*): cycles that carry out finished diagnoses' suggested actions on open incidents,
    # as the principal `autonomy`, through the same ActionService and policy. Off by default; an operator turns it on
    # here (template parameters Autonomy*; locally `aisre serve --parameter AutonomyEnabled=true`), there is no API
    # to switch it. The lists are comma-separated: the actions it may take (only these), and the namespaces (empty:
    # those the policy allows).
    autonomy_enabled: bool = Field(False, validation_alias=AliasChoices("AUTONOMY_ENABLED"))
    autonomy_actions: str = Field("restart_pod", validation_alias=AliasChoices("AUTONOMY_ACTIONS"))
    autonomy_allowed_namespaces: str = Field("", validation_alias=AliasChoices("AUTONOMY_ALLOWED_NAMESPACES"))
    # A dry run (every check and read, no write) unless false; then, with approval required, it asks a person.
    autonomy_dry_run: bool = Field(True, validation_alias=AliasChoices("AUTONOMY_DRY_RUN"))
    autonomy_approval_required: bool = Field(True, validation_alias=AliasChoices("AUTONOMY_APPROVAL_REQUIRED"))
    autonomy_max_incidents_per_cycle: int = Field(
        20, ge=1, le=100, validation_alias=AliasChoices("AUTONOMY_MAX_INCIDENTS_PER_CYCLE")
    )
    # How often the schedule runs a cycle: what template.yaml's rate says (EventBridge's finest is one minute).
    autonomy_poll_interval_seconds: int = Field(
        60, ge=1, validation_alias=AliasChoices("AUTONOMY_POLL_INTERVAL_SECONDS")
    )

    # Workflows: Step Functions state machines. The built-ins' are the stack's ("id=arn,id=arn"); a workspace's own
    # workflows are compiled into state machines named <prefix>-<digest>, run under the role, their Tasks invoking
    # the two functions (template.yaml sets all of it; locally the emulator's).
    workflow_state_machine_arns: str = Field("", validation_alias=AliasChoices("WORKFLOW_STATE_MACHINE_ARNS"))
    workflow_role_arn: str = Field("", validation_alias=AliasChoices("WORKFLOW_ROLE_ARN"))
    workflow_machine_prefix: str = Field("aisre-wf", validation_alias=AliasChoices("WORKFLOW_MACHINE_PREFIX"))
    workflow_actions_function_arn: str = Field("", validation_alias=AliasChoices("WORKFLOW_ACTIONS_FUNCTION_ARN"))
    workflow_steps_function_arn: str = Field("", validation_alias=AliasChoices("WORKFLOW_STEPS_FUNCTION_ARN"))
    workflow_run_retention_days: int = Field(90, ge=1, validation_alias=AliasChoices("WORKFLOW_RUN_RETENTION_DAYS"))

    # Notifications (issue #13): channels, routing, on-call and escalation, outgoing webhooks and triggers.
    # Off: nothing is queued for notifications (the events still happen; a benchmark compares the two).
    notifications_enabled: bool = Field(True, validation_alias=AliasChoices("NOTIFICATIONS_ENABLED"))
    # Deliveries leave the request through this queue (the notification-delivery function takes it).
    notification_queue_url: str = Field("", validation_alias=AliasChoices("NOTIFICATION_QUEUE_URL"))
    # Deliveries that gave up, with why (also where the queue's redrive puts a message the worker could not take).
    notification_dead_letter_queue_url: str = Field(
        "", validation_alias=AliasChoices("NOTIFICATION_DEAD_LETTER_QUEUE_URL")
    )
    # The routing rules' YAML file (default_rules per severity, service_overrides, rules); empty: the built-in ones.
    notification_routes_file: str = Field("", validation_alias=AliasChoices("NOTIFICATION_ROUTES_FILE"))
    notification_retention_days: int = Field(30, ge=1, validation_alias=AliasChoices("NOTIFICATION_RETENTION_DAYS"))
    # At most this many messages per channel a minute (Slack's: about one a second); the rest wait for the next minute.
    notification_channel_per_minute: int = Field(
        60, ge=1, validation_alias=AliasChoices("NOTIFICATION_CHANNEL_PER_MINUTE")
    )
    # A storm's later incidents of one group fold into one update of its first message, sent this long after the first.
    notification_group_update_seconds: int = Field(
        30, ge=0, le=900, validation_alias=AliasChoices("NOTIFICATION_GROUP_UPDATE_SECONDS")
    )
    # A delivery still waiting this long after its event (its target's circuit open all along) gives up, to the
    # dead-letter queue: a page an hour late is no page.
    notification_max_age_seconds: int = Field(
        3600, ge=60, validation_alias=AliasChoices("NOTIFICATION_MAX_AGE_SECONDS")
    )
    # A delivery is attempted this many times (backoff between) before it goes to the dead-letter queue.
    notification_max_attempts: int = Field(6, ge=1, le=20, validation_alias=AliasChoices("NOTIFICATION_MAX_ATTEMPTS"))
    # The console's live events WebSocket when it is not the platform's own `/ws` (on AWS: the WebSocket API's
    # wss:// URL); empty: same origin.
    live_events_url: str = Field("", validation_alias=AliasChoices("LIVE_EVENTS_URL"))
    # Where the links in messages point (the console or the API); empty: no link.
    public_base_url: str = Field("", validation_alias=AliasChoices("AISRE_PUBLIC_URL"))
    # Outgoing requests (channels, webhooks) to loopback, link-local and private addresses: refused unless true
    # (tests, on-premises receivers). The cloud metadata addresses are refused even then.
    outbound_allow_private_networks: bool = Field(
        False, validation_alias=AliasChoices("OUTBOUND_ALLOW_PRIVATE_NETWORKS")
    )
    # Email: SMTP anywhere (STARTTLS and auth when set), SES when EMAIL_TRANSPORT=ses.
    email_transport: Literal["smtp", "ses"] = Field("smtp", validation_alias=AliasChoices("EMAIL_TRANSPORT"))
    email_from: str = Field("aisre@localhost", validation_alias=AliasChoices("EMAIL_FROM"))
    smtp_host: str = Field("", validation_alias=AliasChoices("SMTP_HOST"))
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias=AliasChoices("SMTP_PORT"))
    smtp_username: str = Field("", validation_alias=AliasChoices("SMTP_USERNAME"))
    smtp_password: str = Field("", validation_alias=AliasChoices("SMTP_PASSWORD"))
    smtp_starttls: bool = Field(True, validation_alias=AliasChoices("SMTP_STARTTLS"))
    # Slack's interactivity requests (buttons) are signed with the app's signing secret.
    slack_signing_secret: str = Field("", validation_alias=AliasChoices("SLACK_SIGNING_SECRET"))
    # Escalation runs as one Step Functions execution per incident (template.yaml sets it; locally the emulator's).
    escalation_state_machine_arn: str = Field("", validation_alias=AliasChoices("ESCALATION_STATE_MACHINE_ARN"))
    # Channel secrets are kept in Secrets Manager under this prefix (aws and local alike: the emulator's locally).
    channel_secret_prefix: str = Field("aisre/channels", validation_alias=AliasChoices("CHANNEL_SECRET_PREFIX"))

    # The LLM agent (any OpenAI-compatible endpoint); without a model the deterministic analyzer answers.
    openai_api_key: str = Field("", validation_alias=AliasChoices("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("OPENAI_BASE_URL"))
    aisre_model: str = Field("", validation_alias=AliasChoices("AISRE_MODEL"))
    llm_timeout_seconds: float = Field(60.0, gt=0, validation_alias=AliasChoices("AISRE_LLM_TIMEOUT_SECONDS"))
    agent_max_steps: int = Field(10, ge=1, le=50, validation_alias=AliasChoices("AISRE_AGENT_MAX_STEPS"))

    # The cluster investigations read (read-only): a kubeconfig, an EKS cluster, or the pod's own
    # service account. Locally, ~/.kube/config is used when none is set and the file exists.
    kubeconfig: str = Field("", validation_alias=AliasChoices("KUBECONFIG"))
    kube_context: str = Field("", validation_alias=AliasChoices("KUBE_CONTEXT"))
    eks_cluster_name: str = Field("", validation_alias=AliasChoices("EKS_CLUSTER_NAME"))
    kubernetes_in_cluster: bool = Field(False, validation_alias=AliasChoices("KUBERNETES_IN_CLUSTER"))

    # Metrics and logs the investigation tools query (read-only HTTP APIs).
    prometheus_url: str = Field("", validation_alias=AliasChoices("PROMETHEUS_URL"))
    loki_url: str = Field("", validation_alias=AliasChoices("LOKI_URL"))
    cloudwatch_log_groups: str = Field(
        "", validation_alias=AliasChoices("CLOUDWATCH_LOG_GROUPS"), description="comma-separated; empty: tool off"
    )

    # Similar incidents: an OpenAI-compatible embeddings endpoint when set, else a local embedding;
    # OpenSearch k-NN when an endpoint is set, else an in-process exact index.
    embeddings_base_url: str | None = Field(None, validation_alias=AliasChoices("EMBEDDINGS_BASE_URL"))
    embeddings_model: str = Field("text-embedding-3-small", validation_alias=AliasChoices("EMBEDDINGS_MODEL"))
    embeddings_api_key: str = Field("", validation_alias=AliasChoices("EMBEDDINGS_API_KEY"))
    opensearch_endpoint: str = Field("", validation_alias=AliasChoices("OPENSEARCH_ENDPOINT"))
    opensearch_index: str = Field("aisre-incidents", validation_alias=AliasChoices("OPENSEARCH_INDEX"))

    # Live events (WS /ws): where the fan-out and the socket function send to a connection (API Gateway's management
    # API, https://{api}.execute-api.{region}.amazonaws.com/{stage}; locally the server's own http://127.0.0.1:{port},
    # set by `aisre serve`). The URL browsers connect to is live_events_url, above.
    live_connections_endpoint: str | None = Field(None, validation_alias=AliasChoices("LIVE_CONNECTIONS_ENDPOINT"))

    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL", "POWERTOOLS_LOG_LEVEL"))
    # X-Ray subsegments from the SDK (per DynamoDB call). Off by default: loading the SDK costs ~140 ms of
    # cold start, and Lambda's active tracing records the function and API segments without it.
    trace_disabled: bool = Field(True, validation_alias=AliasChoices("POWERTOOLS_TRACE_DISABLED"))

    @property
    def dynamodb_endpoint(self) -> str | None:
        """Where DynamoDB calls go: its own override, else the general one, else AWS."""
        return self.dynamodb_endpoint_url or self.aws_endpoint_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment, then call this)."""
    get_settings.cache_clear()
