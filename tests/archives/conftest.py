"""Fixtures of the archive tests (ARC-1, ARC-2): the personas, a general manager ``gm`` above the
director, the archive keeper ``keeper`` (销售助理, 档案专人), and one document of each level.

Documents of 国内部 are kept by the head; the secret one of 国际部 by the keeper. Permissions
come from the standard roles (yingxiao/org/roles.py), as in production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from tests.factories import AssignmentFactory, UserFactory
from tests.personas import Personas
from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_decide
from yingxiao.archives import services
from yingxiao.archives.models import Document, Level
from yingxiao.org.models import Position, Role, User


def fresh(user: User) -> User:
    """The user re-read, without cached permissions or scope."""
    return User.objects.get(pk=user.pk)


@dataclass
class Archive:
    p: Personas
    gm: User
    keeper: User
    public: Document
    internal: Document
    secret: Document
    confidential: Document
    intl_secret: Document

    def __getattr__(self, name: str) -> User:
        return getattr(self.p, name)

    def documents(self) -> dict[str, Document]:
        return {
            "public": self.public,
            "internal": self.internal,
            "secret": self.secret,
            "confidential": self.confidential,
            "intl_secret": self.intl_secret,
        }


def make_document(number: str, level: str, department: object, custodian: User, **fields: object) -> Document:
    document = Document(
        number=number,
        title=fields.pop("title", f"档案{number}"),
        level=level,
        department=department,
        custodian=custodian,
        created_by=custodian,
        **fields,
    )
    document.file.save(f"{number}.pdf", ContentFile(b"%PDF-1.4 " + number.encode()), save=False)
    document.file_name = f"{number}.pdf"
    document.save()
    return document


@pytest.fixture
def arc(personas: Personas) -> Archive:
    director_post = Position.objects.get(department=personas.center, is_head=True)
    gm_post = Position.objects.create(
        title="总经理", department=personas.center, role=Role.objects.get(code="general_manager")
    )
    director_post.superior = gm_post
    director_post.save()
    gm = UserFactory(username="gm", display_name="周总")
    AssignmentFactory(user=gm, position=gm_post)
    keeper_post = Position.objects.create(
        title="销售助理",
        department=personas.center,
        role=Role.objects.get(code="sales_assistant"),
        superior=director_post,
    )
    keeper = UserFactory(username="keeper", display_name="档案员小孙")
    AssignmentFactory(user=keeper, position=keeper_post)
    p = personas
    return Archive(
        p=p,
        gm=gm,
        keeper=keeper,
        public=make_document("GK-1", Level.PUBLIC, p.domestic, p.head, title="产品样本"),
        internal=make_document("NB-1", Level.INTERNAL, p.domestic, p.head, title="营销中心管理制度"),
        secret=make_document("MM-1", Level.SECRET, p.domestic, p.head, title="国内部客户价格表"),
        confidential=make_document("JM-1", Level.CONFIDENTIAL, p.center, p.director, title="年度营销战略"),
        intl_secret=make_document("MM-2", Level.SECRET, p.international, keeper, title="国际部合同档案"),
    )


def approve(approver: User, subject: object) -> Instance:
    instance = Instance.objects.get(request_type=services.BORROW_REQUEST, object_id=subject.pk)  # type: ignore[attr-defined]
    return approval_decide(actor=fresh(approver), instance=instance, decision="approve")


def waiting_for(subject: object) -> User | None:
    return Instance.objects.get(request_type=services.BORROW_REQUEST, object_id=subject.pk).current_approver  # type: ignore[attr-defined]


def in_days(days: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=days)
