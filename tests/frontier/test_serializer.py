"""Requests in the shared frontier: site-relative, lean, without secrets, whole when taken."""

from scrapy import Request

from moviespider.frontier.serializer import SiteRelativeSerializer

SANDBOX = "http://127.0.0.1:8050"


def test_a_request_comes_back_whole_on_another_workers_site(monkeypatch):
    request = Request(
        f"{SANDBOX}/subject/1292052/",
        cb_kwargs={"subject_id": "1292052", "depth": 2},
        priority=3,
        meta={"own": 1},
    )
    data = SiteRelativeSerializer(SANDBOX).dumps(request.to_dict())
    assert SANDBOX.encode() not in data  # stored by its path
    taken = SiteRelativeSerializer("http://127.0.0.1:9000").loads(data)
    assert taken["url"] == "http://127.0.0.1:9000/subject/1292052/"
    assert (taken["cb_kwargs"], taken["priority"], taken["meta"]) == (
        {"subject_id": "1292052", "depth": 2},
        3,
        {"own": 1},
    )
    assert taken["method"] == "GET" and taken["headers"] == {} and taken["dont_filter"] is False


def test_a_request_from_another_site_keeps_its_url():
    data = SiteRelativeSerializer(SANDBOX).dumps(Request("https://img.example/p1.jpg").to_dict())
    assert SiteRelativeSerializer(SANDBOX).loads(data)["url"] == "https://img.example/p1.jpg"


def test_no_cookie_or_proxy_credential_reaches_redis(monkeypatch):
    monkeypatch.setenv("DOUBAN_COOKIES", 'dbcl2="1:login-secret"; ck=ck-secret')
    retry = Request(
        f"{SANDBOX}/subject/1/",
        headers={"Cookie": "bid=b-secret", "Proxy-Authorization": "Basic cHJveHktc2VjcmV0"},
        cookies={"dbcl2": '"1:login-secret"', "ck": "ck-secret", "bid": "b-secret"},
        meta={"proxy": "http://user:proxy-secret@127.0.0.1:1", "moviespider_session_proxy": True},
    )
    data = SiteRelativeSerializer(SANDBOX).dumps(retry.to_dict())
    for secret in (b"login-secret", b"ck-secret", b"b-secret", b"proxy-secret", b"cHJveHkt"):
        assert secret not in data


def test_a_queued_request_is_lean():
    request = Request(f"{SANDBOX}/subject/10000000/", cb_kwargs={"subject_id": "10000000"})
    assert len(SiteRelativeSerializer(SANDBOX).dumps(request.to_dict())) < 160
