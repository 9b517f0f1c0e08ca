"""The suite's one cast: a user of every role in one known region tree, as healthchecks' tests have theirs.

The tree is ``region_tree()``: 浙江省 › 3302 › 鄞州区 (330212) › 鄞州区一街道 › 鄞州区一村. Tests take the
``cast`` fixture (tests/conftest.py); a module that needs more adds to it in a fixture of the same name.
"""

from functools import cached_property

from programs.models import Department, User
from tests.factories import DepartmentFactory, EnterpriseFactory, UserFactory, officer, region_tree
from tests.workshops.factories import ResidentFactory, resident_user
from workshops.models import Resident

ANONYMOUS = "anonymous"


class Cast:
    """Made at once (most tests need them): the county's market-supervision and fire-rescue departments, an
    officer of each, the county's coordinator and an enterprise in the village. Made when first asked for:
    the organiser, the grid worker, the enterprise's user and a resident of the village with an account."""

    def __init__(self):
        self.regions = region_tree()
        self.county, self.village = self.regions["county"], self.regions["village"]
        self.market = DepartmentFactory(
            name="市场监督管理局", kind=Department.Kind.MARKET_SUPERVISION, region=self.county
        )
        self.fire = DepartmentFactory(name="消防救援大队", kind=Department.Kind.FIRE_RESCUE, region=self.county)
        self.market_officer = officer(self.market)
        self.fire_officer = officer(self.fire)
        self.coordinator = UserFactory(role=User.Role.COORDINATOR, region=self.county)
        self.enterprise = EnterpriseFactory(region=self.village)
        # What a module's fixture builds in the cast's scope, by name (the security tests: one of each kind).
        self.objects: dict[str, object] = {}

    @cached_property
    def organiser(self) -> User:
        return UserFactory(role=User.Role.ORGANISER, region=self.county)

    @cached_property
    def grid_worker(self) -> User:
        return UserFactory(role=User.Role.GRID_WORKER, region=self.county)

    @cached_property
    def grid_manager(self) -> User:
        """A grid manager (网格管家) of the county with no grid yet: enterprise rows are none of theirs."""
        return UserFactory(role=User.Role.GRID_MANAGER, region=self.county)

    @cached_property
    def enterprise_user(self) -> User:
        return UserFactory(role=User.Role.ENTERPRISE, is_staff=False, region=None, enterprise=self.enterprise)

    @cached_property
    def resident(self) -> Resident:
        return ResidentFactory(village=self.village)

    @cached_property
    def resident_user(self) -> User:
        return resident_user(self.resident)

    @cached_property
    def users(self) -> dict[str, User | None]:
        """Who may ask: the user of each role (the officer is the market department's), and no one signed in."""
        return {
            User.Role.COORDINATOR: self.coordinator,
            User.Role.OFFICER: self.market_officer,
            User.Role.ORGANISER: self.organiser,
            User.Role.GRID_WORKER: self.grid_worker,
            User.Role.GRID_MANAGER: self.grid_manager,
            User.Role.ENTERPRISE: self.enterprise_user,
            User.Role.RESIDENT: self.resident_user,
            ANONYMOUS: None,
        }
