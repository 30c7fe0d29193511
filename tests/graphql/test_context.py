import ipaddress

from aiohttp.test_utils import make_mocked_request

from gateway.graphql.context import client_ip

PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


def _request(peer: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("POST", "/graphql", headers=headers)
    return request.clone(remote=peer)


def test_forwarded_address_is_used_only_behind_a_trusted_proxy():
    assert client_ip(_request("203.0.113.5", "198.51.100.1"), PROXIES) == "203.0.113.5"
    assert client_ip(_request("10.1.1.1", "198.51.100.1"), PROXIES) == "198.51.100.1"
    # A client cannot hide behind an address it made up: the rightmost untrusted hop wins.
    assert client_ip(_request("10.1.1.1", "1.2.3.4, 198.51.100.1, 10.2.2.2"), PROXIES) == "198.51.100.1"
    assert client_ip(_request("10.1.1.1"), PROXIES) == "10.1.1.1"
    assert client_ip(_request("10.1.1.1", "198.51.100.1"), ()) == "10.1.1.1"
