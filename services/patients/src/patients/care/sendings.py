"""How a 転出's sendings to the new health centre read: labels of their codes, a line of the history, and the
transfer with its sendings as the API shows it."""

from __future__ import annotations

from typing import Any

from tbms_core.jp.wareki import format_both

from patients.care.codes import KEY_CHANNELS, SENDING_METHODS, TRANSFER_DOCUMENTS
from patients.care.kinds import TRANSFER
from patients.care.models import TransferSending
from patients.care.schemas import CareRecordRead, TransferSendingRead


def sending_labels(sending: TransferSending) -> dict[str, str]:
    """The Japanese labels of a sending's codes: its documents, method and key channel."""
    documents = [TRANSFER_DOCUMENTS[code] for code in sending.documents if code in TRANSFER_DOCUMENTS]
    if sending.other_documents:
        documents.append(sending.other_documents)
    return {
        "documents": "・".join(documents),
        "method": SENDING_METHODS.get(sending.method, sending.method),
        "key_channel": KEY_CHANNELS.get(sending.key_channel, ""),
    }


def sending_text(sending: TransferSending) -> str:
    """One line of the history: what went to whom, how, and how the key went."""
    labels = sending_labels(sending)
    text = f"{format_both(sending.sent_on)} {labels['method']}で{sending.recipient}へ送付（{labels['documents']}）"
    if sending.key_channel:
        text += f"。パスワードは{labels['key_channel']}"
        if sending.key_sent_on:
            text += f"（{format_both(sending.key_sent_on)}）"
    return text


def with_sendings(transfer: Any, sendings: list[TransferSending]) -> CareRecordRead:
    """A transfer as the API shows it, with its sendings (oldest first)."""
    read = TRANSFER.read(transfer)
    read.sendings = [
        TransferSendingRead.model_validate(s).model_copy(update={"labels": sending_labels(s)}) for s in sendings
    ]
    return read
