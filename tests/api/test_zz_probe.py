import json
from tests.factories import OPERATOR, catalogue_world, offer_body, found_cluster

async def test_probe(api, db):
    w = await catalogue_world(api)
    a = w.members["alice"]
    J = {"content-type": "application/json"}
    cases = [
        ("post", "/clients", a.headers, {"content": '{"\\ud800": 1, "company": "x", "contact_name": "y", "email": "a@b.com"}'.encode(), "headers": J}),
        ("post", "/clients", a.headers, {"content": b'{"company": "\xff", "contact_name": "y", "email": "a@b.com"}', "headers": J}),
        ("post", "/clients", a.headers, {"content": b'', "headers": J}),
        ("post", "/clients", a.headers, {"content": b'{"company": "x", "contact_name": "y", "email": "a@b.com"}', "headers": {"content-type": "text/plain"}}),
        ("post", "/clients", a.headers, {"content": ('{"company": ' + "9" * 5000 + ', "contact_name": "y", "email": "a@b.com"}').encode(), "headers": J}),
        ("post", "/clients", a.headers, {"content": b'{"company": "x", "contact_name": "y", "email": "a\\ud800@b.com"}', "headers": J}),
        ("get", "/clients?cursor=" + "9" * 60, a.headers, {}),
        ("get", "/clients?cursor=%C2%B2", a.headers, {}),
        ("post", "/clients", a.headers, {"content": b'{"company": "x", "company": "y", "contact_name": "y", "email": "a@b.com"}', "headers": J}),
        ("post", "/offers", a.headers, {"json": offer_body(unit_price=1000, founder_component={"offer_id": w.offers["founder"], "quantity": 1, "founder_price": 0})}),
        ("post", "/offers", a.headers, {"json": offer_body(unit_price=True)}),
        ("post", "/offers", a.headers, {"json": offer_body(unit_price="1e3")}),
        ("post", "/offers", a.headers, {"json": offer_body(unit_price="١٠٠")}),
        ("post", "/offers", a.headers, {"json": offer_body(segment="B2C")}),
        ("post", "/offers", a.headers, {"json": offer_body(segment=None)}),
        ("post", "/offers", a.headers, {"json": offer_body(segment=["B2B"])}),
    ]
    for method, path, headers, kw in cases:
        h = dict(headers); h.update(kw.pop("headers", {}))
        try:
            r = await api.request(method, path, headers=h, **kw)
            print(method, path[:40], r.status_code, r.text[:300])
        except Exception as exc:
            print(method, path[:40], "EXC", type(exc).__name__, str(exc)[:200])
