"""The demo's parts, each built on first ask (core/scope.py): its marker store, and the seeder over the other
capabilities' services. Their providers are imported inside: the incidents function's router imports this module,
and loads none of them (alerts, investigations, remediation) until a seed is asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.demo.service.seeding import DemoSeeder
    from aisre.demo.store.marker_store import DynamoSeedMarkers


def seed_markers(scope: Scope) -> DynamoSeedMarkers:
    from aisre.core.providers import configured_table
    from aisre.demo.store.marker_store import DynamoSeedMarkers

    scope.get(configured_table)
    return DynamoSeedMarkers()


def demo_seeder(scope: Scope) -> DemoSeeder:
    from aisre.alerts.providers import alert_intake
    from aisre.demo.service.seeding import DemoSeeder, Platform
    from aisre.incidents.providers import deploy_service, incident_service
    from aisre.investigations.providers import diagnosis_reader, investigation_starter
    from aisre.notifications.providers import escalation_policy_service, oncall_service
    from aisre.remediation.providers import action_service

    platform = Platform(
        intake=scope.get(alert_intake),
        incidents=scope.get(incident_service),
        deploys=scope.get(deploy_service),
        starts=scope.get(investigation_starter),
        diagnoses=scope.get(diagnosis_reader),
        approvals=scope.get(action_service),
        schedules=scope.get(oncall_service),
        policies=scope.get(escalation_policy_service),
    )
    return DemoSeeder(platform, scope.get(seed_markers))
