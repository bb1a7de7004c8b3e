from django.urls import path

from tower.webhooks import views

app_name = "webhooks"

urlpatterns = [
    # A client's endpoints: a section of the agreement page (/agreements/CODE/#webhooks).
    path("agreements/<slug:code>/webhooks/", views.endpoints, name="endpoints"),
    path("agreements/<slug:code>/webhooks/add/", views.endpoint_add, name="endpoint_add"),
    path(
        "agreements/<slug:code>/webhooks/<int:endpoint>/",
        views.endpoint_detail,
        name="endpoint",
    ),
    path(
        "agreements/<slug:code>/webhooks/<int:endpoint>/test/",
        views.endpoint_test,
        name="endpoint_test",
    ),
    path(
        "agreements/<slug:code>/webhooks/<int:endpoint>/secret/",
        views.endpoint_secret,
        name="endpoint_secret",
    ),
    path(
        "agreements/<slug:code>/webhooks/<int:endpoint>/archive/",
        views.endpoint_archive,
        name="endpoint_archive",
    ),
    path("webhooks/", views.deliveries, name="deliveries"),
    path("webhooks/<int:pk>/", views.delivery_detail, name="delivery"),
    path("webhooks/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
