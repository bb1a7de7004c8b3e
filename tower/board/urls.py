from django.urls import path

from tower.board import views

app_name = "board"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/worklist/", views.worklist, name="worklist"),
]
