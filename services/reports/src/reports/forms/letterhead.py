"""This health center's letterhead as forms print it: from the masters' letterhead (自所の情報, code `self`), which
reports keeps in its master read model from masters' MasterChanged events."""

from __future__ import annotations

from dataclasses import dataclass

from reports.master_snapshot.models import MasterSnapshot


@dataclass(frozen=True)
class Letterhead:
    """The sender of a letter: the health center, its head (所長の職名・氏名), address, phone and 問い合わせ先."""

    name: str = ""  # 保健所名
    director_title: str = ""  # e.g. 世田谷保健所長
    director_name: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    contact_text: str = ""  # the 問い合わせ先 the health center wrote for the end of its letters

    @classmethod
    def of(cls, snapshot: MasterSnapshot | None) -> Letterhead | None:
        """The letterhead of the masters' record, or None when masters has sent none."""
        if snapshot is None:
            return None
        values = dict(snapshot.data)
        fields = ("director_title", "director_name", "postal_code", "address", "phone", "fax", "contact_text")
        return cls(snapshot.name, **{name: str(values.get(name) or "") for name in fields})

    @property
    def title(self) -> str:
        """The head's title as a letter is signed: the one in masters, else 〇〇保健所長 from the name."""
        return self.director_title or (f"{self.name}長" if self.name else "")

    @property
    def signer(self) -> str:
        """Who signs: 世田谷保健所長　見本 所長."""
        return "　".join(filter(None, (self.title, self.director_name)))

    @property
    def inquiry(self) -> str:
        """問い合わせ先: the text masters holds, else the health center's name, address and phone."""
        if self.contact_text:
            return self.contact_text
        postal = f"〒{self.postal_code} " if self.postal_code else ""
        address = f"{postal}{self.address}" if self.address else ""
        parts = (self.name, address, f"電話 {self.phone}" if self.phone else "")
        return "　".join(filter(None, parts))
