"""Access rules of printing and downloading, checked on the service with constructed users."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from reports.document.errors import DocumentNotFound, PatientNotYetAvailable
from reports.document.schemas import DocumentCreate
from reports.document.service import DocumentService
from tbms_contracts.patients import PatientSnapshot
from tbms_core.auth import Principal
from tbms_core.errors import AccessDenied, InvalidInput

NO_FORMS = "「帳票」の参照権限がありません。管理者に確認してください。"
NO_PATIENTS = "「患者管理」の参照権限がありません。管理者に確認してください。"

ServiceFor = Callable[[Principal], AbstractAsyncContextManager[DocumentService]]


def user(*roles: str) -> Principal:
    """A logged-in user with exactly these `<area>:<level>` roles."""
    return Principal(
        user_id=str(uuid.uuid4()), username="test-user", display_name="試験 利用者", roles=frozenset(roles)
    )


@pytest.fixture
def service_for(client: httpx.AsyncClient) -> ServiceFor:
    """Opens a unit of work and the document service for a user, with the app's store and renderer."""
    state = client.app.state  # type: ignore[attr-defined]

    @asynccontextmanager
    async def _open(principal: Principal) -> AsyncIterator[DocumentService]:
        async with state.db.session() as session:
            yield DocumentService(session, principal, state.store, state.renderer)

    return _open


class TestGenerate:
    """Printing a form reads personal data: 帳票 and 患者管理 at least 参照."""

    @pytest.mark.req("R18", partial=True)
    async def test_a_user_without_forms_access_is_refused_in_japanese(self, service_for: ServiceFor) -> None:
        with pytest.raises(AccessDenied) as refused:
            async with service_for(user("patients:update")) as service:
                await service.generate(DocumentCreate(form="F03", patient_id=uuid.uuid4()))
        assert refused.value.message == NO_FORMS
        assert refused.value.status_code == 403

    async def test_a_user_without_patients_access_is_refused_in_japanese(self, service_for: ServiceFor) -> None:
        with pytest.raises(AccessDenied) as refused:
            async with service_for(user("forms:update", "contacts:update")) as service:
                await service.generate(DocumentCreate(form="F03", patient_id=uuid.uuid4()))
        assert refused.value.message == NO_PATIENTS

    async def test_a_patient_not_yet_in_the_read_model_is_asked_to_retry(self, service_for: ServiceFor) -> None:
        with pytest.raises(PatientNotYetAvailable) as refused:
            async with service_for(user("forms:read", "patients:read")) as service:
                await service.generate(DocumentCreate(form="F03", patient_id=uuid.uuid4()))
        assert refused.value.status_code == 409
        assert (
            refused.value.message == "患者情報がまだ帳票サービスに反映されていません。数秒後にもう一度お試しください。"
        )

    async def test_an_unknown_form_is_refused_before_anything_is_read(self, service_for: ServiceFor) -> None:
        with pytest.raises(InvalidInput):
            async with service_for(user("forms:read", "patients:read")) as service:
                await service.generate(DocumentCreate(form="F99", patient_id=uuid.uuid4()))


class TestReadAndDownload:
    """Metadata needs 帳票 参照; the content also read access to the area of the record it is filed with."""

    async def test_a_user_without_forms_access_cannot_see_metadata(self, service_for: ServiceFor) -> None:
        with pytest.raises(AccessDenied) as refused:
            async with service_for(user("patients:read")) as service:
                await service.view(uuid.uuid4())
        assert refused.value.message == NO_FORMS

    async def test_a_user_without_forms_access_cannot_list_a_patients_documents(self, service_for: ServiceFor) -> None:
        with pytest.raises(AccessDenied):
            async with service_for(user("patients:read")) as service:
                await service.page_of_patient(uuid.uuid4(), limit=10, offset=0)

    async def test_a_user_without_patients_access_cannot_download(
        self, service_for: ServiceFor, registered_patient: PatientSnapshot
    ) -> None:
        async with service_for(user("forms:read", "patients:read")) as service:
            document = await service.generate(DocumentCreate(form="F03", patient_id=uuid.UUID(registered_patient.id)))
        with pytest.raises(AccessDenied) as refused:
            async with service_for(user("forms:update", "contacts:read")) as service:
                await service.open_content(document.id)
        assert refused.value.message == NO_PATIENTS

    async def test_an_unknown_document_is_not_found(self, service_for: ServiceFor) -> None:
        with pytest.raises(DocumentNotFound):
            async with service_for(user("forms:read", "patients:read")) as service:
                await service.view(uuid.uuid4())
