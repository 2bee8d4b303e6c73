"""factory_boy factories for the book of business. Users get the shared test password (tests/conftest.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts.models import (
    BEGINNING_OF_TIME,
    Account,
    AccountOwnership,
    Contact,
    Interval,
    Role,
    SubscriptionSpan,
    User,
)
from tests.conftest import PASSWORD


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@keel.test")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.CSM
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return User.objects.create_user(*args, **kwargs)


class AccountFactory(DjangoModelFactory[Account]):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"ACC-{n:06d}")
    name = factory.Sequence(lambda n: f"Account {n:04d}")
    segment = "smb"
    csm = factory.SubFactory(UserFactory)
    created_on = date(2024, 1, 15)
    seats = 10

    @factory.post_generation
    def ownership(account: Account, create: bool, extracted: Any, **kwargs: Any) -> None:
        """As the importer does: the first owner owns the account for all of its history."""
        if create:
            AccountOwnership.objects.create(account=account, csm=account.csm, valid_from=BEGINNING_OF_TIME)


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    external_id = factory.Sequence(lambda n: f"C-{n:06d}")
    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "Head of Operations"


class SubscriptionSpanFactory(DjangoModelFactory[SubscriptionSpan]):
    class Meta:
        model = SubscriptionSpan

    subscription_id = factory.Sequence(lambda n: f"sub_{n:06d}")
    account = factory.SubFactory(AccountFactory)
    plan = "Pro"
    interval = Interval.MONTH
    amount = Decimal("100.00")
    currency = "USD"
    starts_on = date(2024, 1, 1)
    ends_on = None
