"""The parties and the legal notes of a commission invoice's XML, as the French CTC rules
(BR-FR) read them: the SIREN as the legal registration (scheme 0002), the SIRET as the global
id (scheme 0009), the electronic address on the SIREN (scheme 0225), the postal address in
lines; a foreign party without a SIREN is named by its VAT id and country, reached by email."""

from __future__ import annotations

import re

from documents.cii import RAM, Element, xml_el
from models.identity import LegalIdentity
from models.invoice_mentions import Mention

SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"
SIREN_ADDRESS = "0225"
_VAT_COUNTRY = re.compile(r"^([A-Z]{2})[0-9A-Z]{2,13}$")


def business_category(buyer: LegalIdentity) -> str:
    """The French processing category (note BAR): B2B for a buyer with a SIREN, B2BINT for a
    buyer abroad."""
    return "B2B" if buyer.siren else "B2BINT"


def xml_notes(document: Element, mentions: tuple[Mention, ...]) -> None:
    for mention in mentions:
        note = xml_el(document, RAM, "IncludedNote")
        xml_el(note, RAM, "Content", mention.text)
        xml_el(note, RAM, "SubjectCode", mention.code)


def invoice_party(parent: Element, tag: str, who: LegalIdentity) -> None:
    """A trade party in the order the standard's XSD sets."""
    party = xml_el(parent, RAM, tag)
    if who.siret:
        xml_el(party, RAM, "GlobalID", who.siret, schemeID=SIRET_SCHEME)
    xml_el(party, RAM, "Name", who.legal_name)
    if who.siren:
        organization = xml_el(party, RAM, "SpecifiedLegalOrganization")
        xml_el(organization, RAM, "ID", who.siren, schemeID=SIREN_SCHEME)
    elif who.registration:
        xml_el(xml_el(party, RAM, "SpecifiedLegalOrganization"), RAM, "ID", who.registration)
    if who.email:
        contact = xml_el(party, RAM, "DefinedTradeContact")
        xml_el(xml_el(contact, RAM, "EmailURIUniversalCommunication"), RAM, "URIID", who.email)
    _postal(party, who)
    if who.siren:
        address = xml_el(party, RAM, "URIUniversalCommunication")
        xml_el(address, RAM, "URIID", who.siren, schemeID=SIREN_ADDRESS)
    elif who.email:
        address = xml_el(party, RAM, "URIUniversalCommunication")
        xml_el(address, RAM, "URIID", who.email, schemeID="EM")
    if who.vat_id:
        registration = xml_el(party, RAM, "SpecifiedTaxRegistration")
        xml_el(registration, RAM, "ID", who.vat_id, schemeID="VA")


def _postal(party: Element, who: LegalIdentity) -> None:
    """The structured address; without one, the address text with the VAT id's country."""
    if who.postal is not None:
        address = xml_el(party, RAM, "PostalTradeAddress")
        if who.postal.postcode:
            xml_el(address, RAM, "PostcodeCode", who.postal.postcode)
        for tag, line in zip(("LineOne", "LineTwo", "LineThree"), who.postal.lines, strict=False):
            xml_el(address, RAM, tag, line)
        xml_el(address, RAM, "CityName", who.postal.city)
        xml_el(address, RAM, "CountryID", who.postal.country)
        return
    country = _VAT_COUNTRY.match(who.vat_id)
    if country:
        address = xml_el(party, RAM, "PostalTradeAddress")
        if who.address:
            xml_el(address, RAM, "LineOne", " ".join(who.address.split()))
        xml_el(address, RAM, "CountryID", country.group(1))
