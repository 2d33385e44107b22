"""Who does what with suggestions.

The union and the leading group of a unit (roles reach down the tree) screen the suggestions of their units,
choose the expert panel, record the panel's conclusion, follow implementation, record the benefit and grant and pay
awards. Panel members score the suggestions given to their panel (never their own). Authors — the lead author and
the co-authors who confirmed — see every public step of their suggestions.
"""

from gongkai.core.choices import Role

MANAGE_ROLES = (Role.UNION, Role.LEADING_GROUP)
