"""Home page (工作台)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yingxiao.org.selectors import positions_of


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"positions": positions_of(request.user)})
