"""Demo pros of the local stack: six per city, with services, hours, bios and varied ratings.

Accounts go through `create_account` and services/hours through the pro use cases, so
the demo data is what the API itself would write. Ratings, KYC and Premium belong to
other flows (reviews, KYC review, Stripe); the demo sets those attributes directly.
Idempotent: an account that already exists is skipped with everything it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from khadamat import clock
from khadamat.dal import users
from khadamat.dal.users import UserItem
from khadamat.domain.accounts import Role
from khadamat.domain.errors import Conflict
from khadamat.domain.reference import CITY_IDS
from khadamat.domain.timeutil import to_storage
from khadamat.usecases import pros
from khadamat.usecases.accounts import create_account

DEMO_PASSWORD = "Demo-Pro-2026"
MONDAY_TO_SATURDAY_9_TO_18 = [{"dayOfWeek": d, "startMin": 540, "endMin": 1080} for d in range(1, 7)]
EVERY_DAY_8_TO_20 = [{"dayOfWeek": d, "startMin": 480, "endMin": 1200} for d in range(7)]
WEEKDAY_MORNINGS = [{"dayOfWeek": d, "startMin": 480, "endMin": 780} for d in range(1, 6)]


@dataclass(frozen=True)
class DemoPro:
    first_name: str
    last_name: str
    bio: str
    services: list[dict]
    weekly: list[dict]
    ratings: tuple[int, int] = (0, 0)  # (sum, count)
    verified: bool = False
    premium: bool = False


def _range(category_id: str, low: int, high: int) -> dict:
    return {"category_id": category_id, "pricing_type": "RANGE", "min_price_mad": low,
            "max_price_mad": high, "fixed_price_mad": None}


def _fixed(category_id: str, price: int) -> dict:
    return {"category_id": category_id, "pricing_type": "FIXED", "min_price_mad": None,
            "max_price_mad": None, "fixed_price_mad": price}


DEMO_PROS = (
    DemoPro("Youssef", "Benali", "Plombier et électricien, 12 ans d'expérience, devis gratuit.",
            [_range("plomberie", 150, 600), _range("electricite", 150, 500), _fixed("climatisation", 350)],
            EVERY_DAY_8_TO_20, ratings=(221, 47), verified=True, premium=True),
    DemoPro("Fatima Zahra", "El Idrissi", "Plomberie sanitaire, chauffe-eau, fuites. Intervention rapide.",
            [_range("plomberie", 120, 450)], MONDAY_TO_SATURDAY_9_TO_18, ratings=(88, 19), verified=True),
    DemoPro("Hamza", "Tazi", "Jeune plombier, travail soigné, disponible le matin.",
            [_fixed("plomberie", 200)], WEEKDAY_MORNINGS, ratings=(4, 1)),
    DemoPro("Khadija", "Amrani", "Ménage, peinture intérieure et jardinage pour appartements et villas.",
            [_fixed("menage", 180), _range("peinture", 400, 2500), _range("jardinage", 150, 600)],
            MONDAY_TO_SATURDAY_9_TO_18, ratings=(131, 30), verified=True, premium=True),
    DemoPro("Omar", "Chraibi", "Serrurier : ouverture de porte, changement de serrure, blindage.",
            [_range("serrurerie", 200, 900)], EVERY_DAY_8_TO_20, ratings=(51, 14)),
    DemoPro("Salma", "Berrada", "Petits travaux, montage de meubles, fixations.",
            [_fixed("bricolage", 150)], MONDAY_TO_SATURDAY_9_TO_18),
)


def _phone(city_index: int, pro_index: int) -> str:
    return f"+2126100{city_index:02d}{pro_index:03d}"


def _seed_one(demo: DemoPro, city_index: int, pro_index: int, city_id: str) -> bool:
    now = clock.now()
    if users.find_user_id(users.phone_key(_phone(city_index, pro_index))):
        return False  # seeded before: skip without paying for a password hash
    try:
        user = create_account(phone=_phone(city_index, pro_index), role=Role.PRO, city_id=city_id,
                              email=f"demo-pro-{city_id}-{pro_index}@khadamat.local", password=DEMO_PASSWORD,
                              first_name=demo.first_name, last_name=demo.last_name, whatsapp=None, now=now,
                              phone_verified=True)  # demo pros are listed and can confirm
    except Conflict:
        return False
    rating_sum, rating_count = demo.ratings
    actions = [UserItem.rating_sum.set(rating_sum), UserItem.rating_count.set(rating_count)]
    if demo.verified:
        actions.append(UserItem.kyc_status.set("APPROVED"))
    if demo.premium:
        actions += [UserItem.premium_until.set(to_storage(now + timedelta(days=365))),
                    UserItem.premium_plan.set("PREMIUM_ANNUAL_COMMIT")]
    users.update_user_item(user.user_id, actions)  # KYC APPROVED reaches the admin search's copies
    user.refresh()  # what the next steps read (Premium: more than one service)
    pros.update_profile(user, {"bio": demo.bio}, now)
    pros.replace_services(user, demo.services, now)
    pros.replace_weekly_hours(user, demo.weekly, now)
    return True


def seed_demo_pros() -> int:
    """Creates the demo pros that are missing; returns how many were created."""
    created = 0
    for city_index, city_id in enumerate(CITY_IDS):
        for pro_index, demo in enumerate(DEMO_PROS):
            created += _seed_one(demo, city_index, pro_index, city_id)
    return created
