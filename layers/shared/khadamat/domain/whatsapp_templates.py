"""The WhatsApp templates the product sends (SPEC §16): names, French bodies, variables, buttons.

Since April 2025 a WhatsApp message the business starts outside the 24-hour window is delivered
only as a template approved by WhatsApp and sent by Content SID (``ContentSid`` +
``ContentVariables``); a plain ``Body`` fails with Twilio error 63016. These are the templates:
``make whatsapp-templates STAGE=…`` creates the missing ones through Twilio's Content API,
submits them for approval and stores name → Content SID per stage in SSM
(khadamat.usecases.whatsapp_templates).

WhatsApp's rules, checked by ``rule_violations`` (tests/unit/test_whatsapp_templates.py):
no variable at the start or the end of a body, no two variables next to each other (only spaces
or punctuation between them), a sample for every variable, variables numbered 1..n. At send
time a value never holds a line break (``variable_value``), and the only user-typed text a
value may hold is a person's name (``name_variables``; every other value is the product's own
text: category names, dates, fixed phrases, signed payloads).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LANGUAGE = "fr"
UTILITY, AUTHENTICATION = "UTILITY", "AUTHENTICATION"
VARIABLE = re.compile(r"\{\{(\d+)\}\}")
MAX_BODY = 1024  # Twilio: the body of a twilio/text or twilio/quick-reply content


@dataclass(frozen=True, slots=True)
class Button:
    """A quick reply: its title, and the variable holding its (signed) payload."""

    title: str
    payload_variable: int


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    category: str
    body: str
    samples: dict[str, str]
    buttons: tuple[Button, ...] = ()
    name_variables: frozenset[int] = field(default_factory=frozenset)
    language: str = LANGUAGE

    @property
    def content_type(self) -> str:
        return "twilio/quick-reply" if self.buttons else "twilio/text"

    def variable_numbers(self) -> list[int]:
        return [int(number) for number in VARIABLE.findall(self.body)]

    def payload_variables(self) -> set[int]:
        return {button.payload_variable for button in self.buttons}


# Variables: a category name (reference data), a local date and hour (when_text), a person's
# name, a fixed phrase of the product. Never a phone except the pro's contact line of a
# CONFIRMED booking (Privacy Shield, SPEC §6).
BOOKING_REQUESTED = Template(
    "khadamat_booking_requested", UTILITY,
    "Nouvelle demande : {{1}} demande une intervention {{2}} le {{3}}. "
    "Répondez avec les boutons ci-dessous ou dans l'application Khadamat.",
    {"1": "Salma", "2": "Plomberie", "3": "07/12/2026 à 10h00", "4": "C.b1.sig", "5": "D.b1.sig"},
    buttons=(Button("Confirmer", 4), Button("Refuser", 5)),
    name_variables=frozenset({1}))
BOOKING_CONFIRMED = Template(
    "khadamat_booking_confirmed", UTILITY,
    "Réservation confirmée : {{1}} a confirmé votre intervention {{2}} prévue le {{3}}. "
    "Contact : {{4}}. Merci d'utiliser Khadamat.",
    {"1": "Youssef Alaoui", "2": "Plomberie", "3": "07/12/2026 à 10h00", "4": "+212600000000"},
    name_variables=frozenset({1}))
BOOKING_UPDATE = Template(
    "khadamat_booking_update", UTILITY,
    "Votre réservation {{1}} prévue le {{2}} a changé de statut : {{3}}. "
    "Détails dans l'application Khadamat.",
    {"1": "Plomberie", "2": "07/12/2026 à 10h00", "3": "elle a été refusée par le professionnel"})
BOOKING_REMINDER = Template(
    "khadamat_booking_reminder", UTILITY,
    "Rappel : votre réservation {{1}} a lieu {{2}}, le {{3}}. À bientôt sur Khadamat.",
    {"1": "Plomberie", "2": "demain", "3": "07/12/2026 à 10h00"})
BOOKING_RESCHEDULED = Template(
    "khadamat_booking_rescheduled", UTILITY,
    "Réservation déplacée : votre intervention {{1}} du {{2}} est déplacée au {{3}}. "
    "Détails dans l'application Khadamat.",
    {"1": "Plomberie", "2": "07/12/2026 à 10h00", "3": "08/12/2026 à 11h00"})
RESCHEDULE_PROPOSED = Template(
    "khadamat_reschedule_proposed", UTILITY,
    "Nouveau créneau proposé : {{1}} propose de déplacer votre intervention {{2}} du {{3}} au {{4}}. "
    "Acceptez ou refusez dans l'application Khadamat.",
    {"1": "Le client", "2": "Plomberie", "3": "07/12/2026 à 10h00", "4": "08/12/2026 à 11h00"})

TEMPLATES: dict[str, Template] = {t.name: t for t in (
    BOOKING_REQUESTED, BOOKING_CONFIRMED, BOOKING_UPDATE, BOOKING_REMINDER, BOOKING_RESCHEDULED,
    RESCHEDULE_PROPOSED)}

# The one template of each notification type that reaches WhatsApp (SPEC §13, §19).
_BY_NOTICE_TYPE = {
    "BOOKING_REQUESTED": BOOKING_REQUESTED,
    "BOOKING_CONFIRMED": BOOKING_CONFIRMED,
    "BOOKING_REMINDER": BOOKING_REMINDER,
    "BOOKING_RESCHEDULED": BOOKING_RESCHEDULED,
    "BOOKING_RESCHEDULE_PROPOSED": RESCHEDULE_PROPOSED,
}


def template_for(notice_type: str) -> Template | None:
    """Declines, expiries and every cancellation share the update template."""
    if notice_type in _BY_NOTICE_TYPE:
        return _BY_NOTICE_TYPE[notice_type]
    if notice_type.startswith(("BOOKING_DECLINED", "BOOKING_EXPIRED", "BOOKING_CANCELLED")):
        return BOOKING_UPDATE
    return None


def rule_violations(template: Template) -> list[str]:
    """What WhatsApp would reject in this template (empty: none)."""
    problems = []
    body = template.body
    numbers = template.variable_numbers()
    if template.category not in (UTILITY, AUTHENTICATION):
        problems.append(f"category {template.category} is not UTILITY or AUTHENTICATION")
    if template.language != LANGUAGE:
        problems.append(f"language {template.language} is not {LANGUAGE}")
    if not re.fullmatch(r"[a-z0-9_]{1,512}", template.name):
        problems.append("the name must be lower case letters, digits and underscores")
    if re.match(r"\s*\{\{\d+\}\}", body):
        problems.append("the body starts with a variable")
    if re.search(r"\{\{\d+\}\}[\s.!?…:;,]*$", body):
        problems.append("the body ends with a variable")
    if _adjacent(body):
        problems.append("two variables are next to each other")
    all_numbers = sorted({*numbers, *template.payload_variables()})
    if all_numbers != list(range(1, len(all_numbers) + 1)):
        problems.append(f"variables must be numbered 1..n, found {all_numbers}")
    if set(template.samples) != {str(n) for n in all_numbers}:
        problems.append("every variable needs exactly one sample value")
    if any("\n" in value or not value.strip() for value in template.samples.values()):
        problems.append("a sample value is empty or holds a line break")
    if len(body) > MAX_BODY:
        problems.append(f"the body is longer than {MAX_BODY} characters")
    if len(template.buttons) > 3 or any(not 0 < len(b.title) <= 20 for b in template.buttons):
        problems.append("at most 3 quick replies with titles of 1-20 characters")
    if template.payload_variables() & set(numbers):
        problems.append("a button payload variable is also used in the body")
    if not template.name_variables <= set(numbers):
        problems.append("a name variable is not in the body")
    return problems


def _adjacent(body: str) -> bool:
    """Two variables with no word between them (only spaces or punctuation)."""
    for between in re.findall(r"\}\}([^{}]*?)\{\{", body):
        if not re.search(r"\w", between):
            return True
    return False


def variable_value(text: str) -> str:
    """A value as WhatsApp accepts it: one line (no line breaks, tabs or runs of 4+ spaces)."""
    return " ".join(text.split()) or "-"


def content_variables(template: Template, values: list[str], payloads: dict[int, str] | None = None
                      ) -> dict[str, str]:
    """ContentVariables of one send: {"1": …, …}, body values then button payloads."""
    variables = {str(n): variable_value(v) for n, v in zip(template.variable_numbers(), values)}
    for number, payload in (payloads or {}).items():
        variables[str(number)] = payload
    return variables


def rendered(template: Template, variables: dict[str, str]) -> str:
    """The text the recipient reads (the local stand-in's outbox, the SMS fallback)."""
    return VARIABLE.sub(lambda match: variables.get(match.group(1), ""), template.body)
