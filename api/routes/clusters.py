"""Clusters and their settings."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks

from api.contract import links
from api.deps import ObjectId, OperatorDep, PrincipalDep, SessionDep
from api.engine import ConnectionDep, schedule_payouts
from api.errors import refusals
from api.schemas import ClusterCreate, SettingsUpdate
from api.views import ClusterCreated, ClusterRead, IssuedKey, cluster_view
from models.catalogue_rules import check_founder_may_set
from models.errors import Forbidden, NotFound
from store.membership import apply_settings, create_cluster
from store.tables import Cluster

router = APIRouter(prefix="/clusters", tags=["clusters"])


@router.post(
    "",
    status_code=201,
    response_model=ClusterCreated,
    responses=links(201, "cluster_id", "id", "read_cluster", "update_settings"),
)
def found_cluster(
    payload: ClusterCreate,
    session: SessionDep,
    _: OperatorDep,
    connection: ConnectionDep,
    background: BackgroundTasks,
) -> ClusterCreated:
    """Create a cluster and its founder, whose API key is shown once; its monthly payout
    Schedule follows."""
    cluster, founder = create_cluster(session, payload)
    background.add_task(schedule_payouts, connection, cluster.id)
    view = cluster_view(cluster)
    return ClusterCreated(
        **view.model_dump(), founder=IssuedKey(id=founder.member.id, api_key=founder.api_key)
    )


def _visible_cluster(session: SessionDep, principal: PrincipalDep, cluster_id: int) -> Cluster:
    cluster = session.get(Cluster, cluster_id)
    if cluster is None or principal.cluster_id not in (None, cluster.id):
        raise NotFound("cluster")
    return cluster


@router.get("/{cluster_id}", response_model=ClusterRead)
def read_cluster(cluster_id: ObjectId, session: SessionDep, principal: PrincipalDep) -> ClusterRead:
    """A cluster and its settings (its members and operators)."""
    return cluster_view(_visible_cluster(session, principal, cluster_id))


@router.patch("/{cluster_id}/settings", response_model=ClusterRead, responses=refusals(403))
def update_settings(
    cluster_id: ObjectId, payload: SettingsUpdate, session: SessionDep, principal: PrincipalDep
) -> ClusterRead:
    """Change durations (founder or operator) and rates (operator, §12); closed deals keep
    their frozen terms."""
    cluster = _visible_cluster(session, principal, cluster_id)
    if principal.member is not None:
        if not principal.member.is_founder:
            raise Forbidden("only the founder or an operator changes the cluster's settings")
        check_founder_may_set(payload.model_fields_set)
    apply_settings(cluster, payload)
    return cluster_view(cluster)
