from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api.accounts import AccountViewSet
from accounts.api.contacts import ContactViewSet
from accounts.api.responses import ResponseViewSet
from accounts.api.subscriptions import SubscriptionViewSet
from accounts.api.tickets import TicketViewSet
from accounts.api.timeline import TimelineEntryView, TimelineView
from accounts.api.usage import UsageView

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="api-accounts")
router.register("contacts", ContactViewSet, basename="api-contacts")
router.register("subscriptions", SubscriptionViewSet, basename="api-subscriptions")
router.register("tickets", TicketViewSet, basename="api-tickets")
router.register("responses", ResponseViewSet, basename="api-responses")

urlpatterns = [
    *router.urls,
    path("usage/", UsageView.as_view(), name="api-usage"),
    path("timeline/", TimelineView.as_view(), name="api-timeline"),
    path("timeline/<int:pk>/", TimelineEntryView.as_view(), name="api-timeline-entry"),
]
