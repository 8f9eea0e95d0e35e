"""The reports service application."""

import asyncio

from fastapi import FastAPI
from tbms_core.app import ServiceKit, create_service_app
from tbms_core.clock import today
from tbms_core.gaiji_master import GaijiMaster

from reports import backfill_api
from reports.attachment.api import audit_refused_upload
from reports.attachment.api import router as attachment_router
from reports.attachment.errors import UploadRefused
from reports.attachment.scanner_api import router as scanner_router
from reports.batch.api import router as batch_router
from reports.batch.worker import BatchWorker
from reports.board_record.api import router as board_router
from reports.board_record.consumers import CONSUMERS as BOARD_CONSUMERS
from reports.care_record.consumers import CONSUMERS as CARE_RECORD_CONSUMERS
from reports.circulation_stamp.consumers import consumers as stamp_consumers
from reports.contact_form.api import router as contact_form_router
from reports.contact_notice.api import router as contact_notice_router
from reports.document.api import router as document_router
from reports.followup.consumers import CONSUMERS as FOLLOWUP_CONSUMERS
from reports.form_template.api import router as form_router
from reports.forms.render import FormRenderer
from reports.lab_result.consumers import CONSUMERS as LAB_RESULT_CONSUMERS
from reports.master_snapshot import gaiji
from reports.master_snapshot.consumers import consumers as master_consumers
from reports.package.api import router as package_router
from reports.patient_summary.consumers import CONSUMERS as PATIENT_CONSUMERS
from reports.request_letter.api import router as letter_router
from reports.request_letter.consumers import CONSUMERS as REQUEST_CONSUMERS
from reports.retention.consumers import consumers as retention_consumers
from reports.scanning import scanner_of
from reports.settings import get_settings
from reports.storage import DocumentStore


def create_app() -> FastAPI:
    """Builds the reports service."""
    settings = get_settings()
    store = DocumentStore(settings)
    gaiji_master = GaijiMaster()  # the 外字 master forms print with (N26), refreshed from the master snapshots
    consumers = [
        *PATIENT_CONSUMERS,
        *LAB_RESULT_CONSUMERS,
        *CARE_RECORD_CONSUMERS,
        *master_consumers(lambda: gaiji_master),
        *REQUEST_CONSUMERS,
        *FOLLOWUP_CONSUMERS,
        *BOARD_CONSUMERS,
        *stamp_consumers(store, lambda: app.state.renderer),
        *retention_consumers(store),
    ]

    async def start_background(kit: ServiceKit) -> None:
        """Batch printing runs beside the requests (a batch left running by a stopped process is resumed);
        the virus signatures' age is checked on a schedule, so its metric and alert need no upload."""
        worker = BatchWorker(
            kit.db,
            app.state.store,
            app.state.renderer,
            poll=settings.batch_poll_seconds,
            stale=settings.batch_stale_seconds,
        )
        app.state.batch_worker = worker
        await gaiji.refresh(kit.db, gaiji_master)
        refresher = gaiji.keep_fresh(kit.db, gaiji_master, settings.gaiji_refresh_seconds)
        kit.tasks.append(asyncio.create_task(refresher, name="reports-gaiji-master"))
        kit.tasks.append(asyncio.create_task(worker.run(), name="reports-batch-worker"))
        kit.tasks.append(asyncio.create_task(app.state.scanner.watch(), name="reports-signature-watch"))

    async def stop_renderer(_: ServiceKit) -> None:
        app.state.renderer.close()

    app = create_service_app(
        "reports",
        settings,
        title="tbms reports（帳票・資料）",
        routers=[
            package_router,  # before /documents/{document_id}
            document_router,
            attachment_router,
            scanner_router,
            form_router,
            batch_router,
            letter_router,
            contact_form_router,
            contact_notice_router,
            board_router,
            backfill_api.router,
        ],
        consumers=consumers,
        on_startup=start_background,
        on_shutdown=stop_renderer,
    )
    app.state.store = store
    app.state.gaiji = gaiji_master
    app.state.renderer = FormRenderer(
        settings.render_processes,
        policy=lambda: gaiji_master.policy(settings.gaiji_mode, settings.gaiji_substitutes_file, today()),
    )
    app.state.scanner = scanner_of(settings)
    app.add_exception_handler(UploadRefused, audit_refused_upload)
    return app
