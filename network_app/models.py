"""Every model, imported in one place so that Alembic and create_app see all tables."""
from .accounts.models import ApiToken, LoginSession, PasswordReset, User  # noqa: F401
from .criteria.models import Criterion, CriterionArea, CriterionCategory, CriterionCpv  # noqa: F401
from .criteria.models import CriterionRevision, SpecCriterion  # noqa: F401
from .intents.models import Intent, IntentEvent, IntentRevision, Signature  # noqa: F401
from .mail import OutboxMessage  # noqa: F401
from .networks.models import Invitation, JoinRequest, Membership, Network  # noqa: F401
from .organisations.models import Organisation, OrganisationCounty  # noqa: F401
from .specs.models import Spec, SpecCpv, SpecRevision, SpecTag, SpecVersion  # noqa: F401
from .needs.models import Interest, Need, NeedCounty, NeedCpv, NeedEvent, NeedMessage  # noqa: F401
from .needs.models import NeedMunicipality, Question, Watch, WatchCounty, WatchCpv, WatchFeed  # noqa: F401
from .needs.models import WatchNotice  # noqa: F401
