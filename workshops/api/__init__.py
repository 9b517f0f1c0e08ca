"""REST endpoints of the workshops app, for the mobile clients, one module per entity: grid workers survey
residents and recommend them, organisers and host enterprises decide, residents see positions near them and
their registrations. ``from workshops import api`` finds every view and serializer here."""

from programs.rest import HasRole

from ._common import NO_DELETE, ReasonSerializer
from .activities import ActivitySerializer, ActivityViewSet
from .courses import CourseSerializer, CourseViewSet, EnrolmentSerializer, EnrolmentViewSet
from .employment import EmploymentSerializer, EmploymentViewSet, EndSerializer, IncomeRecordSerializer, IncomeSerializer
from .indicators import WorkshopIndicatorQuerySerializer, WorkshopIndicatorsView
from .markets import MarketParticipationSerializer, MarketSerializer, MarketViewSet, SupplyPointSerializer
from .offers import JobOfferSerializer, JobOfferViewSet
from .positions import MatchSerializer, PositionSerializer, PositionViewSet
from .registrations import EmploySerializer, RegistrationSerializer, RegistrationViewSet
from .residents import CategoriesField, ResidentSerializer, ResidentViewSet, SurveySerializer
from .workshops import WorkshopSerializer, WorkshopViewSet

__all__ = [
    "NO_DELETE",
    "ActivitySerializer",
    "ActivityViewSet",
    "CategoriesField",
    "CourseSerializer",
    "CourseViewSet",
    "EmploySerializer",
    "EmploymentSerializer",
    "EmploymentViewSet",
    "EndSerializer",
    "EnrolmentSerializer",
    "EnrolmentViewSet",
    "HasRole",
    "IncomeRecordSerializer",
    "IncomeSerializer",
    "JobOfferSerializer",
    "JobOfferViewSet",
    "MarketParticipationSerializer",
    "MarketSerializer",
    "MarketViewSet",
    "MatchSerializer",
    "PositionSerializer",
    "PositionViewSet",
    "ReasonSerializer",
    "RegistrationSerializer",
    "RegistrationViewSet",
    "ResidentSerializer",
    "ResidentViewSet",
    "SupplyPointSerializer",
    "SurveySerializer",
    "WorkshopIndicatorQuerySerializer",
    "WorkshopIndicatorsView",
    "WorkshopSerializer",
    "WorkshopViewSet",
]
