from django.urls import path

from . import views
from .feeds import DealFeed

urlpatterns = [
    path("", views.home, name="home"),
    path("deals/", views.deal_list, name="deal-list"),
    path("deals/feed/", DealFeed(), name="deal-feed"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("stats/", views.stats, name="stats"),
    path("stats/chart.csv", views.stats_chart_csv, name="stats-chart-csv"),
    path("companies/<int:pk>/", views.company_detail, name="company-detail"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
]
