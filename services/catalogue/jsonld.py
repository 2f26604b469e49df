"""schema.org JSON-LD for a service's detail page, so search engines understand the listing."""

import json

from django.utils.safestring import mark_safe

# Service.cost_unit -> (UN/CEFACT common code, unit in words); "once" needs no unit.
PRICE_UNITS = {
    "per_time": ("C62", "keer"),
    "per_month": ("MON", "maand"),
    "per_year": ("ANN", "jaar"),
}


def service_jsonld(service, request):
    data = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": service.name,
        "description": service.summary,
        "url": request.build_absolute_uri(service.get_absolute_url()),
        "provider": {"@type": "Organization", "name": service.organisation.name},
        "serviceType": [t.name for t in service.support_types.all()],
        "audience": [
            {"@type": "Audience", "audienceType": t.name} for t in service.target_groups.all()
        ],
    }
    if service.organisation.website:
        data["provider"]["url"] = service.organisation.website
    if service.scope == service.Scope.NATIONAL:
        data["areaServed"] = {"@type": "Country", "name": "Nederland"}
    else:
        data["areaServed"] = [
            {"@type": "AdministrativeArea", "name": m.name} for m in service.municipalities.all()
        ]
    channel = {}
    if service.phone:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": service.phone}
    if service.url:
        channel["serviceUrl"] = service.url
    # schema.org has availableLanguage on ServiceChannel and ContactPoint, not on Service.
    languages = [language.name for language in service.languages.all()]
    if languages:
        channel["availableLanguage"] = languages
    if channel:
        data["availableChannel"] = {"@type": "ServiceChannel", **channel}
    if service.cost == service.Cost.FREE:
        data["offers"] = {"@type": "Offer", "price": "0", "priceCurrency": "EUR"}
    elif service.cost_amount is not None:
        data["offers"] = {
            "@type": "Offer",
            "price": str(service.cost_amount),
            "priceCurrency": "EUR",
        }
        if service.cost_unit in PRICE_UNITS:
            # "€ 5,00 per maand" is not "€ 5,00": the unit goes in a UnitPriceSpecification
            # (UN/CEFACT codes: MON month, ANN year; C62 "one", here one time).
            code, text = PRICE_UNITS[service.cost_unit]
            data["offers"]["priceSpecification"] = {
                "@type": "UnitPriceSpecification",
                "price": str(service.cost_amount),
                "priceCurrency": "EUR",
                "referenceQuantity": {
                    "@type": "QuantitativeValue",
                    "value": 1,
                    "unitCode": code,
                    "unitText": text,
                },
            }
    encoded = json.dumps(data, ensure_ascii=False)
    # Inside <script>, these three could end the element or start markup: escape them.
    encoded = encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(encoded)  # noqa: S308 - escaped above
