"""Word lists the demo company is made of (people, companies, tickets, comments), and how names become emails."""

from __future__ import annotations

import unicodedata

FIRST_NAMES = (
    "Aisha", "Alejandro", "Amara", "Anders", "Ana", "Arjun", "Astrid", "Beatriz", "Bruno", "Camille",
    "Carlos", "Chen", "Chloé", "Dara", "Diego", "Elena", "Emeka", "Emma", "Farid", "Fatima",
    "Felix", "Freya", "Gabriel", "Hana", "Hassan", "Ines", "Ingrid", "Isaac", "Jana", "Javier",
    "Jin", "Jonas", "José", "Julia", "Kai", "Kavya", "Kenji", "Lars", "Leila", "Liam",
    "Lucia", "Lukas", "Maya", "Mateo", "Mei", "Mia", "Nadia", "Nikhil", "Nina", "Noah",
    "Olga", "Omar", "Oscar", "Priya", "Quinn", "Rafael", "Rania", "Rohan", "Sakura", "Samir",
    "Sara", "Sofia", "Søren", "Tariq", "Theo", "Tomás", "Uma", "Valentina", "Viktor", "Wei",
    "Yara", "Yusuf", "Zanele", "Zoe", "Hugo", "Malik", "Greta", "Ravi", "Elif", "Mateus",
)  # fmt: skip

LAST_NAMES = (
    "Abara", "Andersen", "Baptiste", "Becker", "Bianchi", "Chen", "Costa", "Dubois", "Eriksson", "Fernández",
    "Fischer", "Garcia", "Gupta", "Haddad", "Hansen", "Horvat", "Ibrahim", "Ivanova", "Jensen", "Kaur",
    "Kim", "Kowalski", "Larsen", "Lefebvre", "Lindqvist", "Lopez", "Mahlangu", "Martin", "Meyer", "Moreau",
    "Müller", "Nakamura", "Nguyen", "Novak", "Nowak", "Okafor", "Okoye", "Olsen", "Park", "Patel",
    "Pereira", "Petrov", "Popescu", "Quispe", "Rahman", "Reyes", "Rossi", "Sato", "Schmidt", "Silva",
    "Singh", "Smith", "Souza", "Suzuki", "Tanaka", "Taylor", "Torres", "Van Dijk", "Varga", "Wagner",
    "Walsh", "Wang", "Weber", "Williams", "Yamamoto", "Yilmaz", "Zhang", "Zimmermann", "Ortiz", "Castro",
)  # fmt: skip

COMPANY_PREFIXES = (
    "Acme", "Aero", "Alder", "Alpine", "Amber", "Anchor", "Apex", "Arbor", "Arc", "Aster",
    "Atlas", "Aurora", "Basalt", "Beacon", "Birch", "Blue", "Bolt", "Boreal", "Bright", "Brook",
    "Cedar", "Cinder", "Cirrus", "Clear", "Cobalt", "Comet", "Copper", "Coral", "Crest", "Delta",
    "Drift", "Echo", "Ember", "Falcon", "Fern", "Fjord", "Flint", "Forge", "Granite", "Harbor",
    "Hazel", "Helix", "Indigo", "Iron", "Ivory", "Juniper", "Kestrel", "Lark", "Linden", "Lumen",
    "Maple", "Marble", "Meadow", "Mesa", "Nimbus", "North", "Nova", "Oak", "Onyx", "Orbit",
    "Pine", "Polar", "Prairie", "Pylon", "Quartz", "Raven", "Redwood", "Ridge", "River", "Sable",
    "Sage", "Sierra", "Silver", "Slate", "Solar", "Spruce", "Stone", "Summit", "Swift", "Tidal",
    "Timber", "Topaz", "Trail", "Tundra", "Umber", "Vale", "Vertex", "Violet", "Willow", "Zephyr",
)  # fmt: skip

COMPANY_CORES = (
    "Analytics", "Apparel", "Bakery", "Bank", "Bio", "Brewing", "Build", "Capital", "Care", "Cargo",
    "Cloud", "Commerce", "Consulting", "Data", "Dental", "Design", "Digital", "Energy", "Engineering", "Foods",
    "Freight", "Games", "Health", "Homes", "Hotels", "Insurance", "Labs", "Legal", "Logistics", "Media",
    "Medical", "Metrics", "Mobility", "Motors", "Networks", "Outdoors", "Payments", "Pharma", "Print", "Realty",
    "Retail", "Robotics", "Security", "Software", "Semiconductors", "Sports", "Studio", "Supply", "Systems", "Telecom",
    "Textiles", "Travel", "Ventures", "Vision", "Wellness", "Works", "Learning", "Finance", "Farms", "Marine",
)  # fmt: skip

COMPANY_SUFFIXES = ("Inc", "LLC", "Ltd", "GmbH", "Group", "& Co", "AB", "SAS", "BV", "Co")

CONTACT_TITLES = (
    "CEO", "CTO", "COO", "VP Operations", "Head of Support", "Head of Data", "Product Manager", "Engineer",
    "Operations Manager", "Finance Manager", "Customer Success Lead", "IT Administrator", "Analyst", "",
)  # fmt: skip

PLAN_TIERS = ("Starter", "Pro", "Business")
# Monthly list price per seat, in the reporting currency.
TIER_SEAT_PRICE = {"Starter": 19, "Pro": 35, "Business": 59}

ADDONS = (
    ("Advanced analytics", 149),
    ("Premium support", 249),
    ("Extra API capacity", 99),
    ("Single sign-on", 79),
)
TRAINING_PLAN = "Onboarding workshop"

TICKET_SUBJECTS = {
    "low": (
        "Feature request: dark mode",
        "Question about invoice format",
        "How do I rename a project?",
        "Typo on the settings page",
        "Feature request: more chart types",
    ),
    "normal": (
        "How do I invite users?",
        "Export to CSV question",
        "Password reset email not arriving",
        "Dashboard filter does not remember my choice",
        "Question about seat limits",
        "Report shows different totals than last week",
    ),
    "high": (
        "Integration broken after update",
        "Reports are very slow",
        "SSO login fails for some users",
        "Data import stuck at 50%",
        "Webhook deliveries failing",
    ),
    "urgent": (
        "Cannot log in at all",
        "API returns 500 errors",
        "Data missing since yesterday",
        "Outage: dashboard does not load",
        "Billing charged twice",
    ),
}

# Comments by how the respondent feels: good, mixed, bad.
COMMENTS = {
    "good": (
        "Great product, the team loves it.",
        "Support answered within the hour. Thanks!",
        "The new dashboards save us hours every week.",
        "Easy to set up and our managers finally use it",
        'Love the "weekly digest" email.',
    ),
    "mixed": (
        "Good, but exports are slow.",
        "Does the job; pricing feels high for what we use",
        "OK. Would like more integrations.",
        "Useful, though the learning curve was steep.",
    ),
    "bad": (
        "Too many outages lately.",
        "We are evaluating alternatives.",
        "Support takes days to answer, and issues come back",
        "Hard to use; half the team never logs in.",
        "Not worth the price for us anymore.",
    ),
}


def ascii_slug(text: str, separator: str = "") -> str:
    """Lower-case ASCII words of `text` joined by `separator`, for email addresses and domains."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in plain.replace("&", " and ")).split()
    return separator.join(words)


REGIONS = ("", "Europe", "Americas", "APAC", "UK", "Nordics", "LATAM", "Japan")


def account_name(*, number: int, seed: int) -> str:
    """A company name that no other account number of the same seed gets."""
    space = len(COMPANY_PREFIXES) * len(COMPANY_CORES) * len(COMPANY_SUFFIXES)
    # 2107 = 7² × 43 shares no factor with `space` (2, 3 and 5 only), so this walks every name once before
    # repeating; its residues (37 prefixes, 23 cores further on) keep neighbouring accounts unalike.
    position = ((number - 1) * 2107 + seed * 104729) % space
    prefix = COMPANY_PREFIXES[position % len(COMPANY_PREFIXES)]
    position //= len(COMPANY_PREFIXES)
    core = COMPANY_CORES[position % len(COMPANY_CORES)]
    suffix = COMPANY_SUFFIXES[position // len(COMPANY_CORES)]
    name = f"{prefix} {core} {suffix}"
    round_ = (number - 1) // space
    if round_ >= len(REGIONS):
        return f"{name} {round_ + 1}"
    return f"{name} ({REGIONS[round_]})" if round_ else name
