"""The error pages of the production profile (DEBUG off): Chinese pages in the site's style with a way
back (the previous page, the home page), never a stack trace or Django's English pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

import minyi.urls
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail of the failure")


urlpatterns = [path("boom/", _boom), *minyi.urls.urlpatterns]
handler400 = minyi.urls.handler400
handler403 = minyi.urls.handler403
handler404 = minyi.urls.handler404
handler500 = minyi.urls.handler500


@pytest.fixture(autouse=True)
def _production_like() -> Iterator[None]:
    with override_settings(DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        yield


def _is_ours(page: str) -> None:
    assert 'lang="zh-hans"' in page
    assert "site.css" in page
    assert 'id="error-home"' in page and "返回首页" in page
    assert 'id="error-back"' in page and "返回上一页" in page
    assert "Traceback" not in page and "secret detail" not in page


def test_a_missing_page_is_a_chinese_page_with_a_way_back(actors: Actors) -> None:
    client = Client()
    client.force_login(actors.handler_edu)
    response = client.get("/no/such/page/", HTTP_REFERER="http://testserver/appeals/")
    assert response.status_code == 404
    page = response.content.decode()
    _is_ours(page)
    assert "页面不存在" in page and 'href="http://testserver/appeals/"' in page


def test_another_sites_address_is_never_the_way_back() -> None:
    response = Client().get("/no/such/page/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 404
    assert "evil.example" not in response.content.decode()


def test_a_refusal_is_a_chinese_page(actors: Actors) -> None:
    client = Client()
    client.force_login(actors.member)
    response = client.get("/ledger/")
    assert response.status_code == 403
    _is_ours(response.content.decode())
    assert "无权访问" in response.content.decode()


def test_a_failure_is_a_chinese_page_without_a_trace() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    _is_ours(page)
    assert "系统出错了" in page


def test_a_form_without_its_token_is_a_chinese_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    _is_ours(page)
    assert "表单未能提交" in page and "CSRF" not in page


def test_a_bad_host_is_a_chinese_page() -> None:
    response = Client(HTTP_HOST="bad host!").get("/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "无法受理此请求" in page and "Traceback" not in page
