"""Identities that hold for any subscription history (hypothesis): the MRR bridge, breakdowns that add up to
the company, and recomputing that changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AccountOwnership, Role, SubscriptionSpan, User
from metrics.models import MonthlyKpi
from tests.scenarios import Facts

START = date(2023, 1, 1)
MONTHS = [f"2023-{month:02d}" for month in range(1, 13)] + ["2024-01", "2024-02", "2024-03"]
MONEY = [
    "mrr",
    "mrr_start",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "arr",
]
COUNTS = [
    "customers",
    "customers_start",
    "new_customers",
    "reactivated_customers",
    "expanded_customers",
    "contracted_customers",
    "churned_customers",
    "renewals_due",
    "renewals_renewed",
    "tickets_created",
]

span = st.tuples(
    st.integers(0, 440),  # start, days after START
    st.one_of(st.none(), st.integers(1, 200)),  # length in days, or open
    st.sampled_from(["month", "quarter", "year"]),
    st.sampled_from(["0.00", "10.00", "99.99", "100.00", "1234.56", "2000.00"]),
)
account = st.tuples(
    st.sampled_from([0, 1, 2, None]),  # owner: one of three CSMs or nobody
    st.sampled_from(["smb", "enterprise", None]),
    st.lists(st.lists(span, min_size=1, max_size=3), min_size=1, max_size=2),  # subscriptions, each a chain
)


def _write(facts: Facts, accounts: list[Any], csms: list[User]) -> None:
    for index, (owner, segment, subscriptions) in enumerate(accounts):
        acct = facts.account(f"P{index}", csm=csms[owner] if owner is not None else None, segment=segment)
        for number, chain in enumerate(subscriptions):
            cursor = START
            for offset, length, interval, amount in chain:
                starts = max(cursor, START + timedelta(days=offset))
                ends = starts + timedelta(days=length) if length else None
                facts.span(
                    acct,
                    amount,
                    interval,
                    starts.isoformat(),
                    ends.isoformat() if ends else None,
                    subscription=f"p{index}-{number}",
                )
                if ends is None:
                    break
                cursor = ends


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accounts=st.lists(account, min_size=1, max_size=6))
def test_bridge_holds_parts_add_up_and_recomputing_changes_nothing(facts: Facts, accounts: list[Any]) -> None:
    with transaction.atomic():
        _check(facts, accounts)
        transaction.set_rollback(True)  # each example starts from an empty book


def _check(facts: Facts, accounts: list[Any]) -> None:
    csms = [
        User.objects.get_or_create(
            email=f"csm{n}@keel.test", defaults={"name": f"CSM {n}", "role": Role.CSM}
        )[0]
        for n in range(3)
    ]
    _write(facts, accounts, csms)
    facts.compute("2023-01-01", "2024-03-31")
    first = list(MonthlyKpi.objects.order_by("month", "scope", "csm_id", "segment").values())
    company = {row["month"]: row for row in facts.kpis(MONTHS[0], MONTHS[-1])}

    for row in company.values():
        bridge = (
            Decimal(row["mrr_start"])
            + Decimal(row["new_mrr"])
            + Decimal(row["reactivation_mrr"])
            + Decimal(row["expansion_mrr"])
            - Decimal(row["contraction_mrr"])
            - Decimal(row["churned_mrr"])
        )
        # each term is rounded once on output, so the identity holds to a cent per term
        assert abs(bridge - Decimal(row["mrr"])) <= Decimal("0.03"), row["month"]
        if row["customers_start"]:
            assert row["net_mrr_churn_rate"] + row["nrr_monthly"] == pytest.approx(1)

    for by in ("csm", "segment"):
        parts = facts.kpis(MONTHS[0], MONTHS[-1], by=by)
        for month, total in company.items():
            rows = [part for part in parts if part["month"] == month]
            if by == "csm":
                assert {part["csm"] for part in rows} >= {user.email for user in csms}
            for name in COUNTS:
                assert sum(part[name] for part in rows) == total[name], (by, month, name)
            for name in MONEY:
                assert abs(sum(Decimal(part[name]) for part in rows) - Decimal(total[name])) <= Decimal(
                    "0.01"
                ) * len(rows)

    exact = MonthlyKpi.objects.filter(scope="company").values_list("month", "arr")
    for month, arr in exact:
        parts_arr = sum(MonthlyKpi.objects.filter(scope="csm", month=month).values_list("arr", flat=True))
        assert parts_arr == arr  # stored money is exact, so parts add up to the cent exactly

    facts.compute("2023-01-01", "2024-03-31")
    second = list(MonthlyKpi.objects.order_by("month", "scope", "csm_id", "segment").values())
    strip = lambda rows: [{k: v for k, v in row.items() if k not in ("id", "computed_at")} for row in rows]  # noqa: E731
    assert strip(first) == strip(second)
    assert SubscriptionSpan.objects.exists() and AccountOwnership.objects.exists()
