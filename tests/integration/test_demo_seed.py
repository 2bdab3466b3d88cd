"""The local stack's demo pros (infra/local/demo.py) through the discovery endpoints."""

from infra.local.demo import DEMO_PROS, seed_demo_pros
from khadamat.domain.reference import CITY_IDS


def test_demo_seed_lists_pros_in_every_city_and_is_idempotent(api):
    # Given the demo seed ran twice (a restart)
    assert seed_demo_pros() == len(DEMO_PROS) * len(CITY_IDS)
    assert seed_demo_pros() == 0
    # Then each city lists plumbers, best first, some verified, none with a phone
    for city_id in CITY_IDS:
        reply = api.get(f"/pros?cityId={city_id}&categoryId=plomberie")
        assert reply.status == 200
        items = reply.body["items"]
        assert [item["firstName"] for item in items] == ["Youssef", "Fatima Zahra", "Hamza"]
        assert items[0]["badges"] == ["VERIFIED", "PREMIUM"] and items[2]["badges"] == ["UNVERIFIED"]
        assert "+212" not in str(reply.body)
        slots = api.get(f"/pros/{items[0]['proId']}/slots").body["slots"]
        assert slots
