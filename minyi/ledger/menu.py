"""The ledger's link on the home page and its part of the review list (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.ledger import queries
from minyi.ledger.access import LedgerPerm
from minyi.org.choices import Role
from minyi.org.home import WORK, allowed, register_menu, register_review
from minyi.org.permissions import AnyUser, person_of

register_menu(
    WORK, 40, _("Rectification ledger"), "ledger:list", _("Items to sign-off, by track"),
    shown=allowed(LedgerPerm.VIEW),
)  # fmt: skip


def _reviews_sign_offs(user: AnyUser) -> bool:
    """Unit heads agree to their unit's sign-off requests; supervising leaders decide them."""
    person = person_of(user)
    return person is not None and person.role in (Role.UNIT_HEAD, Role.LEADER)


# The review list (待审核): sign-off requests to agree (unit head) or decide (supervising leader).
register_review(30, shown=_reviews_sign_offs, items=queries.review_items, count=queries.review_count)
