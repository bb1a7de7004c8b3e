"""Sign-in, password and second-factor pages under /accounts/ (Django's own auth views, with
the password reset throttled and two-factor pages added)."""

from django.urls import include, path

from tower.tenancy import reset, views

urlpatterns = [
    # Before Django's auth URLs, so this name and path win.
    path("password_reset/", reset.PasswordResetView.as_view(), name="password_reset"),
    path("two-factor/", views.overview, name="two_factor"),
    path("two-factor/enrol/", views.enrol, name="two_factor_enrol"),
    path("two-factor/verify/", views.verify, name="two_factor_verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="two_factor_recovery_codes"),
    path("two-factor/disable/", views.disable, name="two_factor_disable"),
    path("", include("django.contrib.auth.urls")),
]
