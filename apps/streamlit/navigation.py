"""Which pages each role gets. Adding a page for a role is one line in ``ROLE_PAGES``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"


@dataclass(frozen=True)
class PageSpec:
    file: str  # under app_pages/
    title: str
    icon: str
    section: str

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file

    @property
    def url_path(self) -> str:
        return Path(self.file).stem


PAGES: dict[str, PageSpec] = {
    "orders": PageSpec("orders.py", "Orders", ":material/receipt_long:", "Orders"),
    "pipeline": PageSpec("pipeline.py", "Pipeline", ":material/conveyor_belt:", "Platform"),
    "users": PageSpec("users.py", "Users", ":material/group:", "Admin"),
    "manual_orders": PageSpec("manual_orders.py", "Manual orders", ":material/edit_note:", "Orders"),
    "stores": PageSpec("stores.py", "Stores", ":material/storefront:", "Admin"),
    "exceptions": PageSpec("exceptions.py", "Exceptions", ":material/rule:", "Orders"),
    "exception_coverage": PageSpec(
        "exception_coverage.py", "Exception coverage", ":material/monitoring:", "Orders"
    ),
}

# role -> page keys, in menu order. Later issues add e.g. reviewer: "review_queue", "exceptions";
# ops: "sla"; finance: "reconciliation"; admin: "stores".
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "reviewer": ("orders", "exceptions", "exception_coverage", "manual_orders", "pipeline"),
    "ops": ("orders", "exception_coverage", "pipeline"),
    "finance": ("orders", "pipeline"),
    "admin": ("orders", "exceptions", "exception_coverage", "manual_orders", "pipeline", "users", "stores"),
}


def pages_for(role: str) -> list[PageSpec]:
    """The role's pages; an unknown role gets none (and so sees nothing)."""
    return [PAGES[key] for key in ROLE_PAGES.get(role, ())]
