"""Reference data (SPEC §2): cities and categories, ids stable, names in French."""

CITIES = (
    {"id": "casablanca", "name": "Casablanca"},
    {"id": "rabat-sale", "name": "Rabat / Salé"},
    {"id": "marrakech", "name": "Marrakech"},
)

CATEGORIES = (
    {"id": "plomberie", "name": "Plomberie"},
    {"id": "electricite", "name": "Électricité"},
    {"id": "climatisation", "name": "Climatisation"},
    {"id": "serrurerie", "name": "Serrurerie"},
    {"id": "menage", "name": "Ménage"},
    {"id": "peinture", "name": "Peinture"},
    {"id": "bricolage", "name": "Bricolage"},
    {"id": "jardinage", "name": "Jardinage"},
)

CITY_IDS = tuple(city["id"] for city in CITIES)
CATEGORY_IDS = tuple(category["id"] for category in CATEGORIES)
CATEGORY_NAMES = {category["id"]: category["name"] for category in CATEGORIES}
