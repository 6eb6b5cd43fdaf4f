"""DeployStore on DynamoDB: deploys live in their service's partition, so correlation is one Query."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from aisre.incidents.model.deploy import Deploy
from aisre.incidents.store import keys
from aisre.incidents.store.mapping import deploy_to_record, record_to_deploy
from aisre.incidents.store.records import DeployRecord, LatestDeployRecord

_SECONDS_PER_DAY = 86_400


class DynamoDeployStore:
    def put_deploy(self, deploy: Deploy, retention_days: int) -> None:
        deploy_to_record(deploy, retention_days * _SECONDS_PER_DAY).save()
        latest = LatestDeployRecord(
            pk=keys.service_pk(deploy.workspace_id, deploy.service),
            sk=keys.LATEST_DEPLOY_SK,
            deploy=deploy.model_dump(mode="json"),
            timestamp=deploy.timestamp,
        )
        try:
            # Only moves forward: a deploy reported late must not hide a newer one.
            latest.save(
                condition=LatestDeployRecord.pk.does_not_exist() | (LatestDeployRecord.timestamp <= deploy.timestamp)
            )
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def deploys_of_service(self, workspace_id: str, service: str, since: datetime, until: datetime) -> list[Deploy]:
        results = DeployRecord.query(
            keys.service_pk(workspace_id, service),
            DeployRecord.sk.between(
                f"{keys.DEPLOY_PREFIX}{keys.stamp(since)}", f"{keys.DEPLOY_PREFIX}{keys.stamp(until)}~"
            ),
            scan_index_forward=False,
            limit=20,
        )
        return [record_to_deploy(record) for record in results]

    def recent_deploys(self, workspace_id: str | None, limit: int, service: str | None) -> list[Deploy]:
        condition = (DeployRecord.service == service) if service else None
        if workspace_id is not None:
            results = DeployRecord.by_workspace.query(
                keys.workspace_deploys(workspace_id), scan_index_forward=False, filter_condition=condition, limit=limit
            )
        else:
            results = DeployRecord.across_workspaces.query(
                keys.ALL_DEPLOYS, scan_index_forward=False, filter_condition=condition, limit=limit
            )
        return [record_to_deploy(record) for record in results]
