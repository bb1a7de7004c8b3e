from django.urls import path

from tower.stock import views

app_name = "stock"

urlpatterns = [
    path("stock/", views.stock_list, name="list"),
    path("stock/<int:pk>/", views.stock_row, name="row"),
]
