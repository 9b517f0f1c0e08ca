"""The staff admin for workshops, one module per entity: organisers and community workers, scoped by region.
Importing this package registers every ModelAdmin of the app (Django's admin autodiscovery imports it)."""

from .activities import ActivityAdmin
from .distances import VillageDistanceAdmin
from .employment import EmploymentAdmin, IncomeRecordAdmin, IncomeRecordInline
from .jobs import CourseAdmin, CourseEnrolmentAdmin, JobOfferAdmin
from .markets import MarketAdmin, ParticipationInline, SupplyPointInline
from .positions import PositionAdmin
from .registrations import EmployActionForm, RegistrationAdmin
from .residents import ResidentAdmin, ResidentForm
from .workshops import WorkshopAdmin

__all__ = [
    "ActivityAdmin",
    "CourseAdmin",
    "CourseEnrolmentAdmin",
    "EmployActionForm",
    "EmploymentAdmin",
    "IncomeRecordAdmin",
    "IncomeRecordInline",
    "JobOfferAdmin",
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
