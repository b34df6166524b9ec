"""Concurrent requests give the results of sequential ones: 200 requests from 16 client threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .conftest import EXAMPLES, Client

REQUESTS = 200
THREADS = 16
#: Different communes, EPCI and contracts, so that concurrent evaluations could mix their facts.
FILES = [
    ("/evaluer", "commune_exemple.yaml"),
    ("/evaluer", "commune_depliant_dhup.yaml"),
    ("/evaluer-epci", "epci_depliant_dhup.yaml"),
    ("/verifier-contrat", "contrat_depliant_mutualisant.yaml"),
    ("/verifier-contrat", "contrat_lyon_arrondissements.yaml"),
]


def test_concurrent_answers_are_the_sequential_ones(server: Client) -> None:
    sequential = {item: server.post_file(item[0], EXAMPLES / item[1]) for item in FILES}
    assert all(answer.status == 200 for answer in sequential.values())
    work = [FILES[i % len(FILES)] for i in range(REQUESTS)]
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda item: (item, server.post_file(item[0], EXAMPLES / item[1])), work))
    assert len(answers) == REQUESTS
    for item, answer in answers:
        assert answer.status == 200, answer.text[:300]
        assert answer.body == sequential[item].body, item
