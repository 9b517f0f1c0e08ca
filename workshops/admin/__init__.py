"""The staff admin for workshops, one module per entity: organisers and community workers, scoped by region.
Importing this package registers every ModelAdmin of the app (Django's admin autodiscovery imports it)."""

from .activities import ActivityAdmin
from .distances import VillageDistanceAdmin
from .employment import EmploymentAdmin, IncomeRecordAdmin, IncomeRecordInline
from .markets import MarketAdmin, ParticipationInline, SupplyPointInline
from .positions import PositionAdmin
from .registrations import EmployActionForm, RegistrationAdmin
from .residents import ResidentAdmin, ResidentForm
from .workshops import WorkshopAdmin

__all__ = [
    "ActivityAdmin",
    "EmployActionForm",
    "EmploymentAdmin",
    "IncomeRecordAdmin",
    "IncomeRecordInline",
    "MarketAdmin",
    "ParticipationInline",
    "PositionAdmin",
    "RegistrationAdmin",
    "ResidentAdmin",
    "ResidentForm",
    "SupplyPointInline",
    "VillageDistanceAdmin",
    "WorkshopAdmin",
]
