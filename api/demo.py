"""A demo cluster created through the public HTTP API, exactly as its people would create it."""

from __future__ import annotations

from typing import Any

import httpx

DEMO_CLUSTER: dict[str, Any] = {
    "name": "Rhône Industrial Cluster",
    "currency": "EUR",
    "founder": {
        "name": "Claire Martin",
        "company": "Martin Conseil",
        "email": "claire.martin@example.com",
        "address": "8 rue de la République, 69002 Lyon",
        "registration_number": "RCS Lyon 812 345 671",
        "vat_id": "FR27812345671",
    },
}

FOUNDER_OFFERS: list[dict[str, Any]] = [
    {
        "name": "Cluster onboarding workshop",
        "description": "A day with the client's team to set up the services bought in the cluster.",
        "unit": "day",
        "unit_price": "1200.00",
        "segment": "B2B",
        "commission_rate": "10",
        "procurement": "direct",
        "max_discount": "15",
        "playbook": "Offer it with every first order: it makes the other services land well.",
    },
    {
        "name": "Quarterly account review",
        "description": "A review of the client's account, usage and next needs, every quarter.",
        "unit": "review",
        "unit_price": "300.00",
        "segment": "B2B",
        "commission_rate": "10",
        "procurement": "direct",
        "max_discount": "10",
        "playbook": "Sell it as the way to keep the client's services in shape over the year.",
    },
]

MEMBERS: list[dict[str, dict[str, str]]] = [
    {
        "member": {
            "name": "Hugo Bernard",
            "company": "Bernard Logistique",
            "email": "hugo.bernard@example.com",
            "address": "21 quai Perrache, 69002 Lyon",
            "registration_number": "RCS Lyon 823 456 782",
            "vat_id": "FR61823456782",
        },
        "offer": {
            "name": "Freight cost audit",
            "description": "An audit of a year of freight invoices, with the savings found.",
            "unit": "audit",
            "unit_price": "1200.00",
            "procurement": "direct",
        },
        "client": {
            "company": "Acier du Rhône",
            "contact_name": "Julie Petit",
            "email": "julie.petit@example.com",
            "address": "140 avenue Jean Jaurès, 69007 Lyon",
            "registration_number": "RCS Lyon 734 567 893",
            "vat_id": "FR09734567893",
        },
    },
    {
        "member": {
            "name": "Léa Dubois",
            "company": "Dubois Cybersécurité",
            "email": "lea.dubois@example.com",
            "address": "5 place Bellecour, 69002 Lyon",
            "registration_number": "RCS Lyon 845 678 904",
            "vat_id": "FR53845678904",
        },
        "offer": {
            "name": "Network security assessment",
            "description": "Penetration test and hardening plan for the client's network.",
            "unit": "assessment",
            "unit_price": "4500.00",
            "procurement": "resell",
        },
        "client": {
            "company": "Transports Garnier",
            "contact_name": "Marc Garnier",
            "email": "marc.garnier@example.com",
        },
    },
    {
        "member": {
            "name": "Karim Haddad",
            "company": "Haddad Énergie",
            "email": "karim.haddad@example.com",
        },
        "offer": {
            "name": "Energy efficiency audit",
            "description": "Measurements on site and a plan to cut the energy bill.",
            "unit": "site",
            "unit_price": "2800.00",
            "procurement": "direct",
        },
        "client": {
            "company": "Imprimerie Lemoine",
            "contact_name": "Sophie Lemoine",
            "email": "sophie.lemoine@example.com",
        },
    },
]


class DemoSeedError(RuntimeError):
    """The API refused a step of the demo; the message carries its answer."""


def _post(http: httpx.Client, path: str, key: str | None, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = http.post(path, json=body, headers=headers)
    if response.status_code >= 400:
        raise DemoSeedError(f"POST {path} answered {response.status_code}: {response.text}")
    answer: dict[str, Any] = response.json()
    return answer


def _validated_offer(
    http: httpx.Client, owner_key: str, founder_key: str, offer: dict[str, Any]
) -> dict[str, Any]:
    created = _post(http, "/offers", owner_key, offer)
    _post(http, f"/offers/{created['id']}/validation", founder_key, {"decision": "validate"})
    return {"id": created["id"], "name": offer["name"]}


def _member_offer(template: dict[str, Any], founder_offer_id: int) -> dict[str, Any]:
    return {
        **template,
        "segment": "B2B",
        "commission_rate": "10",
        "max_discount": "15",
        "founder_component": {
            "offer_id": founder_offer_id,
            "quantity": "1",
            "founder_price": "100.00",
        },
        "playbook": f"Lead with the client's costs; {template['name'].lower()} pays for itself.",
    }


def _seed(http: httpx.Client, operator_key: str) -> dict[str, Any]:
    cluster = _post(http, "/clusters", operator_key, DEMO_CLUSTER)
    founder_key = cluster["founder"]["api_key"]
    founder_offers = [_validated_offer(http, founder_key, founder_key, o) for o in FOUNDER_OFFERS]
    members: list[dict[str, Any]] = []
    for entry in MEMBERS:
        person = entry["member"]
        invitation = _post(http, "/invitations", founder_key, {"email": person["email"]})
        # Registering needs no key: the invitation code is the credential.
        joined = _post(http, "/members", None, {"invitation_code": invitation["code"], **person})
        offer = _member_offer(entry["offer"], founder_offers[len(members) % 2]["id"])
        client = _post(http, "/clients", joined["api_key"], entry["client"])
        members.append(
            {
                **person,
                "id": joined["id"],
                "api_key": joined["api_key"],
                "invitation_code": invitation["code"],
                "offers": [_validated_offer(http, joined["api_key"], founder_key, offer)],
                "clients": [{"id": client["id"], "company": entry["client"]["company"]}],
            }
        )
    return {
        "cluster": {"id": cluster["id"], "name": DEMO_CLUSTER["name"]},
        "founder": {
            **DEMO_CLUSTER["founder"],
            "id": cluster["founder"]["id"],
            "api_key": founder_key,
            "offers": founder_offers,
        },
        "members": members,
    }


def seed_demo(
    base_url: str, operator_key: str, *, http: httpx.Client | None = None
) -> dict[str, Any]:
    """Creates a cluster, its founder, three invited members, validated offers and clients."""
    if http is not None:
        return _seed(http, operator_key)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return _seed(client, operator_key)
