"""HTTP API of a contact's 17条 勧告."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from contacts.deps import MAY_CHANGE, MAY_READ, RecommendationServiceDep
from contacts.recommendation.schemas import (
    RecommendationCancel,
    RecommendationChange,
    RecommendationCreate,
    RecommendationRead,
)

router = APIRouter(prefix="/contacts/{contact_id}/recommendations", tags=["接触者健診"])


@router.get("", dependencies=MAY_READ)
async def list_recommendations(
    contact_id: uuid.UUID, recommendations: RecommendationServiceDep
) -> list[RecommendationRead]:
    """The 勧告 issued to the contact."""
    return await recommendations.list(contact_id)


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def issue_recommendation(
    contact_id: uuid.UUID, data: RecommendationCreate, recommendations: RecommendationServiceDep
) -> RecommendationRead:
    """Records a 勧告 issued (date, method of delivery, exams, deadline)."""
    return await recommendations.issue(contact_id, data)


@router.patch("/{recommendation_id}", dependencies=MAY_CHANGE)
async def correct_recommendation(
    contact_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    data: RecommendationChange,
    recommendations: RecommendationServiceDep,
) -> RecommendationRead:
    """Corrects a 勧告; 409 when somebody saved first."""
    return await recommendations.correct(contact_id, recommendation_id, data)


@router.post("/{recommendation_id}/cancel", dependencies=MAY_CHANGE)
async def cancel_recommendation(
    contact_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    data: RecommendationCancel,
    recommendations: RecommendationServiceDep,
) -> RecommendationRead:
    """Cancels a 勧告 (取消) with the reason; it stays listed, marked 取消. 409 when somebody saved first or it was
    cancelled before."""
    return await recommendations.cancel(contact_id, recommendation_id, data)
