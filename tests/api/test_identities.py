"""Legal identities (R20): given at creation or later, each party its own; what is missing is
listed; another seller's client reads as missing."""

from __future__ import annotations

import httpx

from tests.factories import OPERATOR, World, expect

IDENTITY = {
    "address": "12 rue de la Paix\n75002 Paris",
    "registration_number": "RCS Paris 552 100 554",
    "vat_id": "FR40552100554",
}


async def test_the_founder_gives_its_identity_when_the_cluster_is_created(
    api: httpx.AsyncClient,
) -> None:
    founder = {"name": "Fay", "company": "Founder SA", "email": "fay@f.example", **IDENTITY}
    body = {"name": "Atlantic", "currency": "EUR", "founder": founder}
    key = expect(await api.post("/clusters", json=body, headers=OPERATOR), 201)["founder"]
    me = expect(
        await api.get("/members/me", headers={"Authorization": f"Bearer {key['api_key']}"}), 200
    )
    assert {name: me[name] for name in IDENTITY} == IDENTITY
    assert me["missing_identity"] == []


async def test_a_member_joins_with_part_of_its_identity_and_completes_it(
    api: httpx.AsyncClient, world: World
) -> None:
    founder = world.founder.headers
    code = expect(
        await api.post("/invitations", json={"email": "d@x.example"}, headers=founder), 201
    )
    body = {"invitation_code": code["code"], "name": "Dora", "company": "Dora Ltd",
            "email": "d@x.example", "address": "  1 Quay Street  "}  # fmt: skip
    key = expect(await api.post("/members", json=body), 201)["api_key"]
    dora = {"Authorization": f"Bearer {key}"}
    me = expect(await api.get("/members/me", headers=dora), 200)
    assert me["address"] == "1 Quay Street"
    assert me["missing_identity"] == ["registration_number", "vat_id"]

    patched = expect(
        await api.patch("/members/me", json={"vat_id": "GB123456789"}, headers=dora), 200
    )
    assert patched["vat_id"] == "GB123456789"
    assert patched["address"] == "1 Quay Street"  # left out: unchanged
    assert patched["missing_identity"] == ["registration_number"]
    cleared = expect(await api.patch("/members/me", json={"address": None}, headers=dora), 200)
    assert cleared["missing_identity"] == ["address", "registration_number"]
    assert expect(await api.get("/members/me", headers=dora), 200) == cleared


async def test_a_seller_updates_its_clients_identity_and_nobody_else_does(
    api: httpx.AsyncClient, world: World
) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    client_id = world.clients["acme"]
    path = f"/clients/{client_id}"
    patched = expect(await api.patch(path, json=IDENTITY, headers=alice.headers), 200)
    assert {name: patched[name] for name in IDENTITY} == IDENTITY
    assert expect(await api.get(path, headers=alice.headers), 200) == patched

    for headers in (bob.headers, world.founder.headers):
        hidden = await api.patch(path, json={"vat_id": "X"}, headers=headers)
        missing = await api.patch("/clients/999999", json={"vat_id": "X"}, headers=headers)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
    assert expect(await api.get(path, headers=alice.headers), 200) == patched


async def test_clients_get_their_identity_at_creation(api: httpx.AsyncClient, world: World) -> None:
    body = {"company": "Initech", "contact_name": "Peter", "email": "p@initech.example",
            "registration_number": "HRB 1234"}  # fmt: skip
    created = expect(
        await api.post("/clients", json=body, headers=world.members["bob"].headers), 201
    )
    assert created["registration_number"] == "HRB 1234"
    assert created["vat_id"] is None


STRUCTURED = {"siren": "552100554", "siret": "55210055400013", "address_line1": "17 bd Haussmann",
              "postcode": "75009", "city": "Paris", "country": "FR"}  # fmt: skip


async def test_structured_identities_are_stored_apart_from_the_registration_text(
    api: httpx.AsyncClient, world: World
) -> None:
    alice = world.members["alice"].headers
    me = expect(await api.patch("/members/me", json=STRUCTURED, headers=alice), 200)
    assert {name: me[name] for name in STRUCTURED} == STRUCTURED
    assert me["address_line2"] is None
    body = {"company": "Initech", "contact_name": "Peter", "email": "p@initech.example",
            "registration_number": "RCS Paris 552 100 554", **STRUCTURED}  # fmt: skip
    created = expect(await api.post("/clients", json=body, headers=alice), 201)
    assert created["siren"] == "552100554"
    assert created["registration_number"] == "RCS Paris 552 100 554"


async def test_a_wrong_identifier_is_refused_naming_the_field_and_the_rule(
    api: httpx.AsyncClient, world: World
) -> None:
    alice = world.members["alice"].headers
    before = expect(await api.get("/members/me", headers=alice), 200)
    path = f"/clients/{world.clients['acme']}"
    for body, message in (
        ({"siren": "552100555"}, "siren: fails the SIREN check digit (Luhn)"),
        ({"siren": "552 100 554"}, "siren: must be exactly 9 digits (no spaces)"),
        ({"siret": "55210055400014"}, "siret: fails the SIRET check digit (Luhn)"),
        ({"siren": "901234567", "siret": "55210055400013"},
         "siret: must start with the company's SIREN 901234567"),
        ({"country": "France"}, "country: must be a two-letter ISO 3166 code, e.g. FR"),
    ):  # fmt: skip
        for method, target in ((api.patch, "/members/me"), (api.patch, path)):
            refused = await method(target, json=body, headers=alice)
            assert refused.status_code == 422, refused.text
            assert message in refused.text
    assert expect(await api.get("/members/me", headers=alice), 200) == before
