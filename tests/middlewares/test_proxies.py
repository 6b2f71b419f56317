"""Proxy lists: reading and validating them, masking credentials, resting and preferring proxies."""

import random

import pytest
from scrapy.settings import Settings

from moviespider.credentials import mask_proxy_url, parse_proxy_url, read_proxy_list
from moviespider.errors import ConfigError
from moviespider.middlewares.proxies import ProxyPool


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("http://user:s3cret@proxy.example:8080", "http://***@proxy.example:8080"),
        ("https://user@proxy.example:8443", "https://***@proxy.example:8443"),
        ("http://us:p@ss@proxy.example:3128", "http://***@proxy.example:3128"),
        ("user:s3cret@10.0.0.1:3128", "***@10.0.0.1:3128"),
        ("http://proxy.example:8080", "http://proxy.example:8080"),
        ("/etc/moviespider/proxies.txt", "/etc/moviespider/proxies.txt"),
    ],
)
def test_mask_proxy_url_hides_user_and_password(url, masked):
    assert mask_proxy_url(url) == masked


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("http://proxy.example:8080", "http://proxy.example:8080"),
        ("https://u:p@proxy.example:443", "https://u:p@proxy.example:443"),
        ("10.0.0.1:3128", "http://10.0.0.1:3128"),
        ("u:p@10.0.0.1:3128", "http://u:p@10.0.0.1:3128"),
        ("http://proxy.example:8080/", "http://proxy.example:8080/"),
    ],
)
def test_parse_proxy_url_accepts_http_proxies_and_defaults_the_scheme(text, url):
    assert parse_proxy_url(text) == url


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("socks5://u:s3cret@proxy.example:1080", "not socks5://"),
        ("http://u:s3cret@proxy.example", "needs a host and a port"),
        ("http://u:s3cret@proxy.example:99999", "port is not a number"),
        ("http://u:s3cret@proxy.example:80a", "port is not a number"),
        ("http://u:s3cret@:8080", "needs a host and a port"),
        ("http://u:s3cret@proxy.example:8080/path", "no path"),
    ],
)
def test_parse_proxy_url_rejects_bad_urls_without_showing_credentials(text, message):
    with pytest.raises(ValueError, match=message) as error:
        parse_proxy_url(text)
    assert "s3cret" not in str(error.value)
    assert "***@" in str(error.value)


def settings_with(**values):
    return Settings(values)


def test_proxy_list_file_skips_blank_lines_comments_and_duplicates(tmp_path):
    path = tmp_path / "proxies.txt"
    lines = [
        "# office proxies",
        "http://a.example:8080",
        "",
        "  b.example:3128  ",
        "http://a.example:8080",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    urls = read_proxy_list(settings_with(PROXY_LIST=str(path)), environ={})
    assert urls == ["http://a.example:8080", "http://b.example:3128"]


def test_proxy_list_from_the_environment(tmp_path):
    environ = {"PROXY_LIST": "http://u:p@a.example:8080, b.example:3128\nhttps://c.example:443"}
    urls = read_proxy_list(settings_with(), environ)
    assert urls == ["http://u:p@a.example:8080", "http://b.example:3128", "https://c.example:443"]


def test_the_setting_wins_over_the_environment(tmp_path):
    path = tmp_path / "proxies.txt"
    path.write_text("http://file.example:8080\n", encoding="utf-8")
    environ = {"PROXY_LIST": "http://env.example:8080"}
    assert read_proxy_list(settings_with(PROXY_LIST=str(path)), environ) == [
        "http://file.example:8080"
    ]


def test_no_proxy_list_means_no_rotation():
    assert read_proxy_list(settings_with(), environ={}) == []
    assert read_proxy_list(settings_with(PROXY_LIST=""), environ={"PROXY_LIST": " "}) == []


def test_an_unreadable_proxy_list_names_the_setting_and_the_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(ConfigError, match=r"^setting PROXY_LIST: cannot read .*nope\.txt"):
        read_proxy_list(settings_with(PROXY_LIST=str(missing)), environ={})


def test_a_bad_url_in_the_file_names_the_line_and_hides_the_password(tmp_path):
    path = tmp_path / "proxies.txt"
    path.write_text("http://a.example:8080\nsocks5://u:s3cret@b.example:1080\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^setting PROXY_LIST .* line 2: ") as error:
        read_proxy_list(settings_with(PROXY_LIST=str(path)), environ={})
    assert "s3cret" not in str(error.value)


def test_a_bad_url_in_the_environment_names_the_variable():
    with pytest.raises(ConfigError, match=r"^environment variable PROXY_LIST: entry 2: "):
        read_proxy_list(settings_with(), {"PROXY_LIST": "a.example:8080 ftp://b.example:21"})


def test_a_file_without_urls_is_an_error(tmp_path):
    path = tmp_path / "proxies.txt"
    path.write_text("# none yet\n\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no proxy URLs"):
        read_proxy_list(settings_with(PROXY_LIST=str(path)), environ={})


def test_urls_in_the_setting_are_refused_because_settings_are_logged():
    with pytest.raises(ConfigError, match=r"^setting PROXY_LIST: expected the path of a file"):
        read_proxy_list(settings_with(PROXY_LIST="http://u:p@a.example:8080"), environ={})


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_pool(count=3, *, rest_base=10.0, rest_max=80.0):
    clock = FakeClock()
    urls = [f"http://p{i}.example:8080" for i in range(count)]
    pool = ProxyPool(
        urls, rest_base=rest_base, rest_max=rest_max, clock=clock, rng=random.Random(7)
    )
    return pool, clock


def test_a_rested_proxy_is_not_chosen_until_its_rest_is_over():
    pool, clock = make_pool(2)
    tired, other = pool.proxies
    delay = pool.rest(tired)
    assert 5.0 <= delay <= 10.0  # base 10 s, jittered down to half at most
    # Even a proxy another session holds beats one that is resting ...
    assert {pool.choose(in_use=[other]).url for _ in range(20)} == {other.url}
    clock.now += delay
    # ... until the rest is over.
    assert {pool.choose(in_use=[other]).url for _ in range(20)} == {tired.url}


def test_rest_doubles_with_each_failure_up_to_the_cap():
    pool, _ = make_pool(1, rest_base=10.0, rest_max=40.0)
    (proxy,) = pool.proxies
    delays = [pool.rest(proxy) for _ in range(6)]
    ceilings = [10, 20, 40, 40, 40, 40]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_a_proxy_that_served_a_page_is_healthy_again():
    pool, _ = make_pool(2)
    proxy = pool.proxies[0]
    pool.rest(proxy)
    pool.recovered(proxy)
    assert proxy.failures == 0
    assert proxy.url in {pool.choose().url for _ in range(50)}


def test_healthy_proxies_are_preferred_to_ones_that_failed_recently():
    pool, clock = make_pool(2)
    shaky, healthy = pool.proxies
    pool.rest(shaky)
    clock.now += 3600  # rested out, but its failure is remembered until it serves a page
    assert {pool.choose().url for _ in range(20)} == {healthy.url}


def test_a_proxy_held_by_another_session_is_avoided():
    pool, _ = make_pool(3)
    held = pool.proxies[:2]
    assert {pool.choose(in_use=held).url for _ in range(20)} == {pool.proxies[2].url}


def test_when_every_proxy_rests_the_one_that_wakes_first_is_used():
    pool, _ = make_pool(3, rest_base=10.0, rest_max=1000.0)
    a, b, c = pool.proxies
    for _ in range(3):
        pool.rest(a)  # 20-40 s
    pool.rest(b)  # 5-10 s
    for _ in range(5):
        pool.rest(c)  # 80-160 s
    assert pool.choose() is b


def test_choice_is_spread_over_equally_healthy_proxies():
    pool, _ = make_pool(3)
    assert {pool.choose().url for _ in range(60)} == {p.url for p in pool.proxies}


def test_proxy_repr_never_shows_credentials():
    pool = ProxyPool(["http://user:s3cret@a.example:8080"], rest_base=1, rest_max=1)
    assert "s3cret" not in repr(pool.proxies[0])
