"""The local server runs a function's handler on several threads at once (AWS runs one event per process): every
invocation must act for its own caller, never for another thread's."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from resolvers.handlers.loyalty import handler
from tests.factories import a_customer, cognito, context, event

pytestmark = pytest.mark.dynamodb

THREADS = 16
CALLS = 50


def test_concurrent_invocations_each_act_for_their_own_caller(dynamodb):
    customers = [a_customer() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    ctx = context("loyalty")

    def calls(customer: str) -> list[str]:
        barrier.wait()
        answers = []
        for _ in range(CALLS):
            answer = handler(event("query_get_loyalty", arguments={}, identity=cognito(customer)), ctx)
            answers.append(answer["customer"])
        return answers

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(calls, customers))

    # Each thread's answers are its own customer's loyalty, every time
    wrong = sum(answer != customer for customer, answers in zip(customers, results, strict=True) for answer in answers)
    assert wrong == 0, f"{wrong} of {THREADS * CALLS} answers were for another caller"
